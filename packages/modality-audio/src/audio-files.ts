import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, DataError, didYouMean, z, type DatasetSpec, type SampleRef } from '@fewshot/core';

/** File extensions the audio loaders pick up (case-insensitive). */
export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.wave'];

export function isAudioFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && AUDIO_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** One folder's entries, split into sub-folders and files, each sorted; hidden entries skipped. */
export interface FolderEntries {
  readonly dirs: string[];
  readonly files: string[];
}

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

/** Audio files below a folder (any depth), as sorted `/`-separated paths relative to it. */
export async function listAudioFiles(dir: string): Promise<string[]> {
  const { dirs, files } = await listFolder(dir);
  const nested = await Promise.all(dirs.map(async (d) => (await listAudioFiles(join(dir, d))).map((f) => `${d}/${f}`)));
  return [...files.filter(isAudioFile), ...nested.flat()];
}

/** List the root of a data set, or throw DataError when it is missing or not a folder. */
export async function listDatasetRoot(spec: DatasetSpec): Promise<FolderEntries> {
  try {
    return await listFolder(spec.path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const env = process.env['FEWSHOT_DATA'];
      throw new DataError(`data folder not found: ${spec.path} (from ${spec.name}.path)`, {
        cause: err,
        hints: [`relative data paths are resolved against data.root, itself relative to FEWSHOT_DATA (${env ? `now '${env}'` : 'not set, so ./data'})`],
      });
    }
    if (code === 'ENOTDIR') throw new DataError(`${spec.name}.path is a file, not a folder: ${spec.path}`, { cause: err });
    throw new DataError(`cannot read data folder ${spec.path} (from ${spec.name}.path): ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Apply `spec.include` / `spec.exclude` to the class labels found. A name that matches no class is a
 * ConfigError naming the list and the closest class.
 */
export function selectClasses(spec: DatasetSpec, available: readonly string[]): string[] {
  for (const key of ['include', 'exclude'] as const) {
    for (const name of spec[key] ?? []) {
      if (available.includes(name)) continue;
      throw unknownValue(`${spec.name}.${key}`, 'class', name, available, spec.path);
    }
  }
  const include = spec.include;
  const exclude = spec.exclude ?? [];
  return available.filter((c) => (include === undefined || include.includes(c)) && !exclude.includes(c));
}

const attrValue = z.union([z.string().min(1), z.number()]);
const attrValues = z.array(attrValue).min(1);

/** Sample filters shared by the audio layouts (in `data.<split>.options`). */
export const sampleFilterShape = {
  speakers: attrValues.optional().describe('only these speakers (the `speaker` attribute)'),
  excludeSpeakers: attrValues.optional().describe('all but these speakers'),
  where: z.record(z.string(), attrValues).optional().describe('only samples whose attribute is one of the values, e.g. { take: [0, 1, 2] }'),
  whereNot: z.record(z.string(), attrValues).optional().describe('all but samples whose attribute is one of the values'),
};
export type SampleFilters = {
  speakers?: (string | number)[] | undefined;
  excludeSpeakers?: (string | number)[] | undefined;
  where?: Record<string, (string | number)[]> | undefined;
  whereNot?: Record<string, (string | number)[]> | undefined;
};

/** A config value matches an attribute: equal strings, or a YAML number equal to an all-digit attribute (`7` matches `'07'`). */
function matches(value: string | number, attr: string | undefined): boolean {
  if (attr === undefined) return false;
  if (typeof value === 'number') return /^\d+$/.test(attr) && Number(attr) === value;
  return value === attr;
}

/**
 * Keep the samples that pass the speaker and attribute filters. A listed value that no sample has is a
 * ConfigError (a typo would otherwise silently empty or leak a split).
 */
export function filterSamples(spec: DatasetSpec, samples: readonly SampleRef[], f: SampleFilters): SampleRef[] {
  const keep: { attr: string; values: (string | number)[]; negate: boolean; key: string }[] = [];
  if (f.speakers) keep.push({ attr: 'speaker', values: f.speakers, negate: false, key: 'speakers' });
  if (f.excludeSpeakers) keep.push({ attr: 'speaker', values: f.excludeSpeakers, negate: true, key: 'excludeSpeakers' });
  for (const [attr, values] of Object.entries(f.where ?? {})) keep.push({ attr, values, negate: false, key: `where.${attr}` });
  for (const [attr, values] of Object.entries(f.whereNot ?? {})) keep.push({ attr, values, negate: true, key: `whereNot.${attr}` });
  for (const k of keep) {
    const known = [...new Set(samples.map((s) => s.attrs?.[k.attr]).filter((v): v is string => v !== undefined))].sort(compare);
    if (known.length === 0) {
      throw new ConfigError(`${spec.name}.options.${k.key}: no sample in ${spec.path} has a '${k.attr}' attribute`, {
        hints: [`attributes found: ${[...new Set(samples.flatMap((s) => Object.keys(s.attrs ?? {})))].join(', ') || 'none'}`],
      });
    }
    for (const v of k.values) if (!known.some((a) => matches(v, a))) throw unknownValue(`${spec.name}.options.${k.key}`, k.attr, String(v), known, spec.path);
  }
  return samples.filter((s) => keep.every((k) => k.values.some((v) => matches(v, s.attrs?.[k.attr])) !== k.negate));
}

function unknownValue(where: string, what: string, name: string, available: readonly string[], path: string): ConfigError {
  const guess = didYouMean(name, available);
  return new ConfigError(`${where}: unknown ${what} '${name}'${guess === undefined ? '' : ` (did you mean '${guess}'?)`}`, {
    hints: [available.length > 0 ? `${path} has ${available.length} ${what}s: ${preview(available)}` : `${path} has no ${what}s`],
  });
}

/** DataError for a data set without any usable audio file, saying which layout was expected. */
export function noAudioError(spec: DatasetSpec, expected: string, found: FolderEntries, extra: string[] = []): DataError {
  const seen = [...found.dirs.map((d) => `${d}/`), ...found.files];
  return new DataError(`no audio files found in ${spec.path} (from ${spec.name}.path, layout '${spec.layout}')`, {
    hints: [
      `expected ${expected} (extensions ${AUDIO_EXTENSIONS.join(', ')})`,
      ...extra,
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
