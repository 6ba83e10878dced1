import path from 'node:path';
import { buffer as readBuffer } from 'node:stream/consumers';
import * as yauzl from 'yauzl';
import { DataError } from '@fewshot/core/plugin';

/** `<anything>/<Alphabet>/characterNN/<charId>_<drawer>.txt`; macOS junk (`__MACOSX/`, `._*`, `.DS_Store`) never matches. */
const STROKE_PATH = /(?:^|\/)([^/]+)\/(character\d+)\/(\d+_(\d+)\.txt)$/;

/** One drawing in an Omniglot stroke archive. */
export interface StrokeEntry {
  readonly alphabet: string;
  readonly character: string;
  /** `<charId>_<drawer>.txt`. */
  readonly file: string;
  readonly drawer: string;
  /** The entry's name inside the zip. */
  readonly entry: string;
}

/** The drawing an archive path names, or undefined for anything else (folders, macOS junk). */
export function strokeEntryOf(name: string): StrokeEntry | undefined {
  if (name.startsWith('__MACOSX/') || name.includes('/__MACOSX/') || path.posix.basename(name).startsWith('.'))
    return undefined;
  const m = STROKE_PATH.exec(name);
  return m ? { alphabet: m[1]!, character: m[2]!, file: m[3]!, drawer: m[4]!, entry: name } : undefined;
}

async function openZip(file: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw new DataError(`cannot read ${file} as a zip archive: ${(err as Error).message}`, { cause: err });
  }
}

/** The drawings listed in a stroke zip (its central directory only), in archive order. */
export async function listStrokeZip(file: string): Promise<StrokeEntry[]> {
  const zip = await openZip(file);
  const out: StrokeEntry[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      const e = strokeEntryOf(entry.fileName);
      if (e) out.push(e);
    }
  } catch (err) {
    throw new DataError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    zip.close();
  }
  return out;
}

/** Contents of every drawing of a zip, by entry name, read once per process and zip (a few MB of text). */
const contents = new Map<string, Promise<Map<string, string>>>();

async function readAll(file: string): Promise<Map<string, string>> {
  const zip = await openZip(file);
  const out = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      const e = strokeEntryOf(entry.fileName);
      if (!e || out.has(strokeId(e))) continue;
      out.set(strokeId(e), (await readBuffer(await zip.openReadStreamPromise(entry))).toString('utf8'));
    }
  } catch (err) {
    throw new DataError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  } finally {
    zip.close();
  }
  return out;
}

/** A drawing's sample id: `Alphabet/characterNN/<id>_<drawer>.txt`. */
export function strokeId(e: StrokeEntry): string {
  return `${e.alphabet}/${e.character}/${e.file}`;
}

/** The text of one drawing of a stroke zip by its id; a DataError naming the zip and id when it is not there. */
export async function readStrokeEntry(file: string, id: string): Promise<string> {
  let all = contents.get(file);
  if (!all) {
    all = readAll(file);
    contents.set(file, all);
    all.catch(() => contents.delete(file));
  }
  const text = (await all).get(id);
  if (text === undefined) throw new DataError(`${file} holds no drawing ${id}`);
  return text;
}
