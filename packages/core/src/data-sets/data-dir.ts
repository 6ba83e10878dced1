import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_DATA_DIR } from '../config/load-config.js';
import type { DataSetEntry } from './data-set-entry.js';

/** The data folder: `dir` if given, else $FEWSHOT_DATA, else ./data (as experiments resolve `data.root`). */
export function resolveDataDir(dir?: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(dir || env['FEWSHOT_DATA'] || DEFAULT_DATA_DIR);
}

/** Absolute path of a `/`-separated path under the data folder. */
export function underDataDir(dataDir: string, relative: string): string {
  return path.join(dataDir, ...relative.split('/'));
}

/** Suffix of the working folder a made data set is made in, beside its folder: `omniglot-drawing-videos.making`. */
export const MAKING_SUFFIX = '.making';

/**
 * Whether a data set is in `dataDir`: `present` (everything its archives bring), `partial` (some of its
 * archives; for a data set that is made, a `<folder>.making` left by an unfinished make) or `missing`.
 */
export function dataSetPresence(entry: DataSetEntry, dataDir: string): 'present' | 'partial' | 'missing' {
  if (entry.archives.length === 0) {
    const target = underDataDir(dataDir, entry.path);
    return existsSync(target) ? 'present' : existsSync(`${target}${MAKING_SUFFIX}`) ? 'partial' : 'missing';
  }
  const targets = entry.archives.map((a) => a.target);
  const found = targets.filter((t) => existsSync(underDataDir(dataDir, t))).length;
  return found === targets.length ? 'present' : found === 0 ? 'missing' : 'partial';
}
