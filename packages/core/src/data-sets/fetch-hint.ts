import path from 'node:path';
import { DATA_SETS } from './data-set-registry.js';
import type { DataSetEntry } from './data-set-entry.js';
import { resolveDataDir } from './data-dir.js';

/** A registry data set that provides a path, and the data folder the path lies in. */
export interface DataSetAt {
  readonly entry: DataSetEntry;
  /** The data folder (absolute): the path is `<dataDir>/<entry.path>` or lies inside it. */
  readonly dataDir: string;
}

/**
 * The registry data set whose folder is (or holds) `missing`, and the data folder it lies in:
 * `/data/omniglot/images_background/Greek` is omniglot-background's, in `/data`. Undefined when the path
 * is no registry data set's.
 */
export function dataSetFor(missing: string, sets: readonly DataSetEntry[] = DATA_SETS): DataSetAt | undefined {
  const abs = path.resolve(missing);
  for (const entry of sets) {
    const rel = path.join(...entry.path.split('/'));
    const at =
      abs === rel || abs.endsWith(path.sep + rel)
        ? abs.length - rel.length
        : abs.lastIndexOf(path.sep + rel + path.sep) + 1;
    if (at <= 0) continue;
    return { entry, dataDir: abs.slice(0, at - 1) || path.sep };
  }
  return undefined;
}

/**
 * For a missing data folder that is (or lies inside) a registry data set's folder, the command that brings
 * it: `fewshot data fetch omniglot-background`, with `--to DIR` when the data folder is not the default one
 * (for a data set that is made, the same command, saying what it is made from).
 * Undefined when the path is no registry data set's.
 */
export function fetchHintFor(missing: string, sets: readonly DataSetEntry[] = DATA_SETS): string | undefined {
  const found = dataSetFor(missing, sets);
  if (!found) return undefined;
  const { entry, dataDir } = found;
  const to = dataDir === resolveDataDir() ? '' : ` --to ${dataDir}`;
  const made = entry.derived
    ? ` (${entry.derived.describe}, from ${entry.derived.from.join(', ')}, fetched first)`
    : '';
  return `fetch it with: fewshot data fetch ${entry.name}${to}${made}`;
}
