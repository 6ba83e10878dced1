import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { closest } from 'fastest-levenshtein';
import { ConfigError, DataError } from '../errors.js';
import type { DatasetSpec } from '../modality.js';
import type { LabeledSet } from '../labeled-set.js';
import { fetchHintFor } from '../data-sets/fetch-hint.js';

/** Helpers every modality's loaders share: listing data folders, include/exclude, and their errors. */

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
  return { dirs: dirs.sort(compareNames), files: files.sort(compareNames) };
}

/** List the root of a data set, or throw DataError when it is missing or not a folder. */
export async function listDatasetRoot(spec: DatasetSpec): Promise<FolderEntries> {
  try {
    return await listFolder(spec.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const data = process.env['FEWSHOT_DATA'];
      const fetch = fetchHintFor(spec.path);
      throw new DataError(`data folder not found: ${spec.path} (from ${spec.name}.path)`, {
        cause: err,
        hints: [
          ...(fetch ? [fetch] : []),
          `relative data paths are resolved against data.root, itself relative to FEWSHOT_DATA (${data ? `now '${data}'` : 'not set, so ./data'})`,
          'set FEWSHOT_DATA to the folder that holds your data sets, or give an absolute path',
        ],
      });
    }
    if (code === 'ENOTDIR')
      throw new DataError(`${spec.name}.path is a file, not a folder: ${spec.path}`, { cause: err });
    throw new DataError(`cannot read data folder ${spec.path} (from ${spec.name}.path): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/** Whether a file name ends in one of `extensions` (lower-case, with the dot), ignoring case. */
export function hasExtension(name: string, extensions: readonly string[]): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && extensions.includes(name.slice(dot).toLowerCase());
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
      if (!available.some((g) => matches(name, g)))
        throw unknownNameError(`${spec.name}.${key}`, what, name, available, spec.path);
    }
  }
  const include = spec.include;
  const exclude = spec.exclude ?? [];
  return available.filter(
    (g) => (include === undefined || include.some((n) => matches(n, g))) && !exclude.some((n) => matches(n, g)),
  );
}

/** ConfigError for a configured name (`where`) that is not among the `available` ones found in `path`, with the closest one. */
export function unknownNameError(
  where: string,
  what: string,
  name: string,
  available: readonly string[],
  path: string,
): ConfigError {
  const guess = available.length > 0 ? closest(name, available as string[]) : undefined;
  return new ConfigError(
    `${where}: unknown ${what} '${name}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`,
    {
      hints: [
        available.length > 0
          ? `${path} has ${available.length} ${plural(what)}: ${previewNames(available)}`
          : `${path} has no ${plural(what)}`,
      ],
    },
  );
}

/**
 * DataError for a data set without any usable file: `kind` names them ("images"), `expected` the
 * layout's shape, and the hints list the extensions and what the root folder holds.
 */
export function noSamplesError(
  spec: DatasetSpec,
  kind: string,
  extensions: readonly string[],
  expected: string,
  found: FolderEntries,
  extra: readonly string[] = [],
): DataError {
  const seen = [...found.dirs.map((d) => `${d}/`), ...found.files];
  return new DataError(`no ${kind} found in ${spec.path} (from ${spec.name}.path, layout '${spec.layout}')`, {
    hints: [
      `expected ${expected} (extensions ${extensions.join(', ')})`,
      ...extra,
      seen.length > 0 ? `the folder holds: ${previewNames(seen)}` : 'the folder is empty',
    ],
  });
}

/**
 * Call the loader of `spec.layout`; an unknown layout is a ConfigError naming the modality, the closest
 * layout and the known ones.
 */
export function loadLayout(
  modality: string,
  loaders: Readonly<Record<string, (spec: DatasetSpec) => Promise<LabeledSet>>>,
  spec: DatasetSpec,
): Promise<LabeledSet> {
  const loader = loaders[spec.layout];
  if (!loader) {
    const layouts = Object.keys(loaders);
    const guess = layouts.length > 0 ? ` (did you mean '${closest(spec.layout, layouts)}'?)` : '';
    throw new ConfigError(`${spec.name}.layout: the ${modality} modality has no layout '${spec.layout}'${guess}`, {
      hints: [`${modality} layouts: ${layouts.join(', ')}`],
    });
  }
  return loader(spec);
}

/** English plural of a noun such as `class`, `speaker`, `alphabet`. */
function plural(noun: string): string {
  return /(s|sh|ch|x|z)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

/** The first `max` names joined, with how many more there are. */
export function previewNames(names: readonly string[], max = 12): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}

/** Code-unit order (stable across locales). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
