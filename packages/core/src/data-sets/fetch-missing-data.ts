import { existsSync } from 'node:fs';
import path from 'node:path';
import { dataSetPresence } from './data-dir.js';
import { DATA_SETS } from './data-set-registry.js';
import type { DataSetEntry } from './data-set-entry.js';
import { fetchDataSet, type FetchedArchive, type FetchOptions } from './fetch-data-set.js';
import { dataSetFor } from './fetch-hint.js';

/** How {@link fetchMissingData} fetches: as {@link fetchDataSet}, from these registry entries. */
export interface FetchMissingOptions extends FetchOptions {
  /** The data sets that may provide a missing path, and the sources of made ones (default: the registry, {@link DATA_SETS}). */
  readonly sets?: readonly DataSetEntry[];
}

/** One registry data set fetched into one data folder. */
export interface FetchedDataSet {
  readonly name: string;
  readonly dataDir: string;
  /** The missing paths (absolute) it provides. */
  readonly paths: readonly string[];
  readonly archives: readonly FetchedArchive[];
}

/** What {@link fetchMissingData} did. */
export interface FetchedSummary {
  readonly fetched: readonly FetchedDataSet[];
  /** Missing paths (absolute) that no downloadable registry data set provides: left alone. */
  readonly notProvided: readonly string[];
}

/**
 * Fetch what is missing of `paths`: each path that does not exist and is (or lies inside) a registry data
 * set's folder brings that data set into the data folder the path lies in
 * (`/data/omniglot/images_background` -> omniglot-background into `/data`), each data set once; a data set
 * that is made (`omniglot-drawing-videos`) has its sources fetched, then is made. Paths that exist are
 * skipped; missing paths no registry data set provides (or whose data set is there already and lacks the
 * path) are left alone, so the usual missing-folder error, with its hint, follows when they are read.
 */
export async function fetchMissingData(
  paths: readonly string[],
  options: FetchMissingOptions = {},
): Promise<FetchedSummary> {
  const { sets = DATA_SETS } = options;
  const fetchOptions = { ...options, sets };
  const wanted = new Map<string, { entry: DataSetEntry; dataDir: string; paths: string[] }>();
  const notProvided: string[] = [];
  for (const p of new Set(paths.map((q) => path.resolve(q)))) {
    if (existsSync(p)) continue;
    const found = dataSetFor(p, sets);
    // a data set that is there already and lacks a subfolder (a mistyped alphabet) is not fetched again
    if (!found || dataSetPresence(found.entry, found.dataDir) === 'present') {
      notProvided.push(p);
      continue;
    }
    const key = `${found.entry.name}\0${found.dataDir}`;
    const job = wanted.get(key) ?? { ...found, paths: [] };
    job.paths.push(p);
    wanted.set(key, job);
  }
  const fetched: FetchedDataSet[] = [];
  for (const { entry, dataDir, paths: provided } of wanted.values()) {
    fetchOptions.progress?.log(`fetching ${entry.name} into ${dataDir} (missing: ${provided.join(', ')})`);
    const archives = await fetchDataSet(entry, dataDir, fetchOptions);
    fetched.push({ name: entry.name, dataDir, paths: provided, archives });
  }
  return { fetched, notProvided };
}
