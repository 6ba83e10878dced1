import path from 'node:path';
import { resolveDataPath, type LoadedConfig } from '../config/load-config.js';
import type { ProgressSink } from '../progress.js';
import type { ByteProgress } from './byte-progress.js';
import { fetchMissingData, type FetchedSummary } from './fetch-missing-data.js';

/** The `--fetch` options of `trainExperiment` and `evaluate`. */
export interface FetchDataOptions {
  /**
   * Before reading the data, fetch each missing folder the experiment reads that a registry data set
   * provides (`fewshot data fetch NAME`, into the data folder the path lies in). Default false: a missing
   * folder is a DataError naming the `fewshot data fetch` command.
   */
  readonly fetch?: boolean;
  /** URL or folder holding copies of the archives (default: $FEWSHOT_DATA_MIRROR, else the publishers'). */
  readonly mirror?: string;
  /** Download progress in bytes (default: the messages through `progress`, without byte counts). */
  readonly fetchProgress?: ByteProgress;
}

/** A split of an experiment's data. */
export type SplitName = 'train' | 'validation' | 'test';

/**
 * The folders an experiment reads (absolute, each once): the paths of the given splits that the config
 * has, resolved against its data root; then `runs.explicit` (relative to the working folder) or else, with
 * `runs.fromConfig`, the config's `data.runs` (relative to the data root).
 */
export function experimentDataPaths(
  loaded: LoadedConfig,
  splits: readonly SplitName[],
  runs: { readonly explicit?: string | undefined; readonly fromConfig?: boolean } = {},
): string[] {
  const data = loaded.config.data;
  const paths = splits.flatMap((s) => {
    const split = data[s];
    return split ? [resolveDataPath(loaded, split.path)] : [];
  });
  if (runs.explicit) paths.push(path.resolve(runs.explicit));
  else if (runs.fromConfig && data.runs) paths.push(resolveDataPath(loaded, data.runs));
  return [...new Set(paths)];
}

/** With `options.fetch`, {@link fetchMissingData} for `paths`; nothing otherwise (undefined). */
export async function fetchExperimentData(
  paths: readonly string[],
  options: FetchDataOptions,
  progress: ProgressSink,
): Promise<FetchedSummary | undefined> {
  if (!options.fetch) return undefined;
  const mirror = options.mirror ?? (process.env['FEWSHOT_DATA_MIRROR'] || undefined);
  return fetchMissingData(paths, {
    ...(mirror ? { mirror } : {}),
    progress: options.fetchProgress ?? { log: (line) => progress.log(line), start: () => ({ update() {}, done() {} }) },
  });
}
