import { createWriteStream } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { DataError } from '../errors.js';

/** macOS and Windows junk that some published archives carry (`__MACOSX/`, `.DS_Store`, `._name`). */
export function isJunkEntry(name: string): boolean {
  const parts = name.split('/');
  return parts.includes('__MACOSX') || parts.some((p) => p === '.DS_Store' || p === 'Thumbs.db' || p.startsWith('._'));
}

/**
 * Unpack a zip archive into `dir` (which must exist), leaving out junk entries. An entry whose path leaves
 * `dir` (absolute, or with `..`) or an archive that cannot be read is a DataError naming the archive.
 * Returns the number of files written.
 */
export async function unpackZip(zipPath: string, dir: string): Promise<number> {
  let zip;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, strictFileNames: false });
  } catch (cause) {
    throw new DataError(`cannot read zip archive ${zipPath}: ${(cause as Error).message}`, { cause });
  }
  let files = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = entry.fileName.replace(/\\/g, '/');
      if (isJunkEntry(name)) continue;
      const out = path.resolve(dir, ...name.split('/'));
      if (path.isAbsolute(name) || (out !== dir && !out.startsWith(dir + path.sep))) {
        throw new DataError(`zip archive ${zipPath} has an entry outside its folder: ${entry.fileName}`);
      }
      if (name.endsWith('/')) {
        await mkdir(out, { recursive: true });
        continue;
      }
      await mkdir(path.dirname(out), { recursive: true });
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(out));
      files++;
    }
  } catch (cause) {
    if (cause instanceof DataError) throw cause;
    throw new DataError(`cannot unpack zip archive ${zipPath}: ${(cause as Error).message}`, { cause });
  } finally {
    zip.close();
  }
  return files;
}

/** The shallowest folder at or below `dir` that directly holds an entry called `marker`. */
export async function findFolderHolding(dir: string, marker: string): Promise<string | undefined> {
  let level = [dir];
  for (let depth = 0; depth < 4 && level.length > 0; depth++) {
    const next: string[] = [];
    for (const d of level) {
      const entries = await readdir(d, { withFileTypes: true });
      if (entries.some((e) => e.name === marker)) return d;
      for (const e of entries) if (e.isDirectory()) next.push(path.join(d, e.name));
    }
    level = next.sort();
  }
  return undefined;
}
