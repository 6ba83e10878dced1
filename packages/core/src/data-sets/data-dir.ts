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

/** Whether a data set is in `dataDir`: `present` (everything its archives bring), `partial` or `missing`. */
export function dataSetPresence(entry: DataSetEntry, dataDir: string): 'present' | 'partial' | 'missing' {
  const targets = entry.archives.length > 0 ? entry.archives.map((a) => a.target) : [entry.path];
  const found = targets.filter((t) => existsSync(underDataDir(dataDir, t))).length;
  return found === targets.length ? 'present' : found === 0 ? 'missing' : 'partial';
}
