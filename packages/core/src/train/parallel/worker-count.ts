import os from 'node:os';

/**
 * Worker count for `train.workers`: a number is taken as is; `auto` uses every core (at most 4) on the
 * single-threaded backends (wasm, cpu), 1 on the native backend (libtensorflow is multi-threaded
 * already), and keeps shards of at least 8 pairs.
 */
export function resolveWorkerCount(setting: number | 'auto', backend: string, batchSize: number): number {
  if (setting !== 'auto') return setting;
  if (backend === 'tensorflow') return 1;
  return Math.max(1, Math.min(os.availableParallelism(), 4, Math.floor(batchSize / 8)));
}
