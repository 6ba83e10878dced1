import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DataError, type DatasetSpec } from '@fewshot/core';

/** File extensions the video loaders pick up (case-insensitive). */
export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.webm', '.avi', '.mov', '.mkv'];

export function isVideoFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && VIDEO_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** One folder's entries, split into sub-folders and files, each sorted; hidden entries skipped. */
export interface FolderEntries {
  readonly dirs: string[];
  readonly files: string[];
}

/** List a folder (one readdir; a stat only for symbolic links). */
export async function listFolder(path: string): Promise<FolderEntries> {
  const entries = await readdir(path, { withFileTypes: true });
  const dirs: string[] = [];
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isFile()) files.push(e.name);
    else if (e.isSymbolicLink()) {
      const s = await stat(join(path, e.name)).catch(() => undefined);
      if (s?.isDirectory()) dirs.push(e.name);
      else if (s?.isFile()) files.push(e.name);
    }
  }
  return { dirs: dirs.sort(compare), files: files.sort(compare) };
}

/** List the root of a data set, or throw DataError when it is missing or not a folder. */
export async function listDatasetRoot(spec: DatasetSpec): Promise<FolderEntries> {
  try {
    return await listFolder(spec.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const data = process.env['FEWSHOT_DATA'];
      throw new DataError(`data folder not found: ${spec.path} (from ${spec.name}.path)`, {
        cause: err,
        hints: [
          `relative data paths are resolved against data.root, itself relative to FEWSHOT_DATA (${data ? `now '${data}'` : 'not set, so ./data'})`,
          'set FEWSHOT_DATA to the folder that holds your data sets, or give an absolute path',
        ],
      });
    }
    if (code === 'ENOTDIR') throw new DataError(`${spec.name}.path is a file, not a folder: ${spec.path}`, { cause: err });
    throw new DataError(`cannot read data folder ${spec.path} (from ${spec.name}.path): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Apply `spec.include` / `spec.exclude` to group names (alphabets, classes). A name matches a group
 * equal to it or any group below it (`a` matches `a/b`). A name that matches nothing is a ConfigError
 * naming the list and the closest existing name.
 */
export function selectGroups(spec: DatasetSpec, available: readonly string[], what: string): string[] {
  const matches = (name: string, group: string): boolean => group === name || group.startsWith(`${name}/`);
  for (const key of ['include', 'exclude'] as const) {
    for (const name of spec[key] ?? []) {
      if (available.some((g) => matches(name, g))) continue;
      const guess = available.length > 0 ? closest(name, available) : undefined;
      throw new ConfigError(`${spec.name}.${key}: unknown ${what} '${name}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`, {
        hints: [available.length > 0 ? `${spec.path} has ${available.length} ${what}s: ${preview(available)}` : `${spec.path} has no ${what}s`],
      });
    }
  }
  const exclude = spec.exclude ?? [];
  return available.filter((g) => (spec.include === undefined || spec.include.some((n) => matches(n, g))) && !exclude.some((n) => matches(n, g)));
}

/** DataError for a data set root without any video, saying which layout was expected. */
export function noVideosError(spec: DatasetSpec, expected: string, found: FolderEntries): DataError {
  const seen = [...found.dirs.map((d) => `${d}/`), ...found.files];
  return new DataError(`no video files found in ${spec.path} (from ${spec.name}.path, layout '${spec.layout}')`, {
    hints: [
      `expected ${expected} (extensions ${VIDEO_EXTENSIONS.join(', ')})`,
      seen.length > 0 ? `the folder holds: ${preview(seen)}` : 'the folder is empty',
    ],
  });
}

export function preview(names: readonly string[], max = 12): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The name closest to `word` by edit distance (first of equals). */
export function closest(word: string, names: readonly string[]): string {
  let best = names[0] ?? '';
  let bestD = Infinity;
  for (const n of names) {
    const d = editDistance(word.toLowerCase(), n.toLowerCase());
    if (d < bestD) [best, bestD] = [n, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
