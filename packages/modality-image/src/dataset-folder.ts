import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { closest } from 'fastest-levenshtein';
import { ConfigError, DataError, type DatasetSpec } from '@fewshot/core';

/** File extensions the image loaders pick up (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

export function isImageFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
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
      throw new DataError(`data folder not found: ${spec.path} (from ${spec.name}.path)`, {
        cause: err,
        hints: [
          `relative data paths are resolved against data.root, itself relative to FEWSHOT_DATA (${fewshotData()})`,
          'set FEWSHOT_DATA to the folder that holds your data sets, or give an absolute path',
        ],
      });
    }
    if (code === 'ENOTDIR') {
      throw new DataError(`${spec.name}.path is a file, not a folder: ${spec.path}`, { cause: err });
    }
    throw new DataError(`cannot read data folder ${spec.path} (from ${spec.name}.path): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Apply `spec.include` / `spec.exclude` to the available group names (alphabets, classes). A name
 * matches a group equal to it or, for nested groups, any group below it (`a` matches `a/b`). A name
 * that matches nothing is a ConfigError naming the list and the closest existing name.
 */
export function selectGroups(spec: DatasetSpec, available: readonly string[], what: string): string[] {
  const matches = (name: string, group: string): boolean => group === name || group.startsWith(`${name}/`);
  for (const key of ['include', 'exclude'] as const) {
    for (const name of spec[key] ?? []) {
      if (available.some((g) => matches(name, g))) continue;
      const guess = available.length > 0 ? closest(name, available as string[]) : undefined;
      const suggestion = guess === undefined ? '' : ` (did you mean '${guess}'?)`;
      throw new ConfigError(`${spec.name}.${key}: unknown ${what} '${name}'${suggestion}`, {
        hints: [
          available.length > 0
            ? `${spec.path} has ${available.length} ${what}s: ${preview(available)}`
            : `${spec.path} has no ${what}s`,
        ],
      });
    }
  }
  const include = spec.include;
  const exclude = spec.exclude ?? [];
  return available.filter(
    (g) => (include === undefined || include.some((n) => matches(n, g))) && !exclude.some((n) => matches(n, g)),
  );
}

/** DataError for a data set root without any image, saying which layout was expected. */
export function noImagesError(spec: DatasetSpec, expected: string, found: FolderEntries): DataError {
  const seen = [...found.dirs.map((d) => `${d}/`), ...found.files];
  return new DataError(`no images found in ${spec.path} (from ${spec.name}.path, layout '${spec.layout}')`, {
    hints: [
      `expected ${expected} (extensions ${IMAGE_EXTENSIONS.join(', ')})`,
      seen.length > 0 ? `the folder holds: ${preview(seen)}` : 'the folder is empty',
    ],
  });
}

function fewshotData(): string {
  const value = process.env['FEWSHOT_DATA'];
  return value ? `now '${value}'` : 'not set, so ./data';
}

function preview(names: readonly string[], max = 12): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
