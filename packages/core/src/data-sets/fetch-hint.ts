import path from 'node:path';
import { DATA_SETS } from './data-set-registry.js';
import type { DataSetEntry } from './data-set-entry.js';
import { resolveDataDir } from './data-dir.js';

/**
 * For a missing data folder that is (or lies inside) a registry data set's folder, the command that brings
 * it: `fewshot data fetch omniglot-background`, with `--to DIR` when the data folder is not the default one.
 * Undefined when the path is no registry data set's.
 */
export function fetchHintFor(missing: string, sets: readonly DataSetEntry[] = DATA_SETS): string | undefined {
  const abs = path.resolve(missing);
  for (const entry of sets) {
    const rel = path.join(...entry.path.split('/'));
    const at = abs === rel || abs.endsWith(path.sep + rel) ? abs.length - rel.length : abs.lastIndexOf(path.sep + rel + path.sep) + 1;
    if (at <= 0) continue;
    const dataDir = abs.slice(0, at - 1) || path.sep;
    const to = dataDir === resolveDataDir() ? '' : ` --to ${dataDir}`;
    if (entry.archives.length === 0) return `${entry.name} is not downloaded but made: ${entry.derived ?? 'see docs/data-sets.md'}`;
    return `fetch it with: fewshot data fetch ${entry.name}${to}`;
  }
  return undefined;
}
