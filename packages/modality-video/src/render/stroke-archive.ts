import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { text as readText } from 'node:stream/consumers';
import * as yauzl from 'yauzl';
import { DataError } from '@fewshot/core/plugin';

/** One drawing's stroke file from an Omniglot stroke archive. */
export interface StrokeFile {
  readonly alphabet: string;
  readonly character: string;
  /** `<charId>_<drawer>` (the file name without `.txt`). */
  readonly name: string;
  readonly text: string;
  /** Where it was read from (`archive.zip:inner/path.txt`, or a file path). */
  readonly source: string;
}

/** `<anything>/<Alphabet>/characterNN/<charId>_<drawer>.txt`; macOS junk (`__MACOSX/`, `._*`, `.DS_Store`) never matches. */
const STROKE_PATH = /(?:^|\/)([^/]+)\/(character\d+)\/(\d+_\d+)\.txt$/;

/** Parts of an archive path that name a drawing, or undefined for anything else (folders, junk). */
export function strokePathParts(name: string): { alphabet: string; character: string; name: string } | undefined {
  if (name.startsWith('__MACOSX/') || name.includes('/__MACOSX/') || path.posix.basename(name).startsWith('.'))
    return undefined;
  const m = STROKE_PATH.exec(name);
  return m ? { alphabet: m[1]!, character: m[2]!, name: m[3]! } : undefined;
}

/**
 * Every drawing in the given inputs, in order: stroke zips as published (`strokes_background.zip`,
 * `strokes_evaluation.zip`, the small subsets), folders holding such zips, or folders of extracted
 * stroke files (`<Alphabet>/characterNN/<id>_<drawer>.txt` at any depth). A drawing found twice
 * (Greek and Latin are in both small subsets) is kept once when the copies agree; copies that differ
 * are a DataError. Throws DataError for a missing input, an unreadable zip, or inputs without drawings.
 */
export async function readStrokeArchives(inputs: readonly string[]): Promise<StrokeFile[]> {
  const seen = new Map<string, StrokeFile>();
  const out: StrokeFile[] = [];
  const add = (f: StrokeFile): void => {
    const key = `${f.alphabet}/${f.character}/${f.name}`;
    const before = seen.get(key);
    if (before) {
      if (before.text !== f.text)
        throw new DataError(`two different stroke files for ${key}: ${before.source} and ${f.source}`);
      return;
    }
    seen.set(key, f);
    out.push(f);
  };
  for (const input of inputs) {
    const st = await stat(input).catch((err: NodeJS.ErrnoException) => {
      throw new DataError(`stroke archive not found: ${input}`, { cause: err });
    });
    if (st.isFile()) (await readZip(input)).forEach(add);
    else {
      const zips = (await readdir(input)).filter((f) => f.toLowerCase().endsWith('.zip')).sort();
      if (zips.length > 0) for (const z of zips) (await readZip(path.join(input, z))).forEach(add);
      else (await readExtracted(input, input)).forEach(add);
    }
  }
  if (out.length === 0) {
    throw new DataError(`no Omniglot stroke files found in ${inputs.join(', ')}`, {
      hints: [
        'expected strokes_background.zip / strokes_evaluation.zip, a folder of them, or a folder of <Alphabet>/characterNN/<id>_<drawer>.txt',
      ],
    });
  }
  return out;
}

async function readZip(file: string): Promise<StrokeFile[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw new DataError(`cannot read ${file} as a zip archive: ${(err as Error).message}`, { cause: err });
  }
  const out: StrokeFile[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const parts = strokePathParts(entry.fileName);
      if (!parts) continue;
      const stream = await zip.openReadStreamPromise(entry);
      out.push({ ...parts, text: await readText(stream), source: `${file}:${entry.fileName}` });
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    zip.close();
  }
  return out;
}

async function readExtracted(root: string, dir: string): Promise<StrokeFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: StrokeFile[] = [];
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== '__MACOSX') out.push(...(await readExtracted(root, full)));
    } else if (e.isFile()) {
      const parts = strokePathParts(path.relative(root, full).split(path.sep).join('/'));
      if (parts) out.push({ ...parts, text: await readFile(full, 'utf8'), source: full });
    }
  }
  return out;
}
