import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { EpisodeScorer } from '../baseline.js';
import type { SampleStore } from '../data/sample-store.js';
import type { ProgressTask } from '../progress.js';
import type { Experiment } from '../experiment.js';
import { PairModel } from '../model/pair-model.js';
import { GradientWorkerPool } from '../train/parallel/gradient-worker-pool.js';
import { resolveWorkerCount } from '../train/parallel/worker-count.js';
import { addViewMeans, asTtaScorer, type TtaViews } from './tta-scorer.js';

/** Embeds rows of a store: the same values as the scorer's own `embed`, computed elsewhere. */
export type AsyncEmbed = (store: SampleStore, indices: readonly number[]) => Promise<Float32Array>;

/** An `AsyncEmbed` on worker threads, and the pool to close after use. */
export interface WorkerEmbedder {
  readonly embed: AsyncEmbed;
  readonly workers: number;
  close(): Promise<void>;
}

/** Below this many encoder inputs (samples x views) starting workers costs more than it saves. */
export const MIN_WORKER_ROWS = 2048;

/** Encoder inputs sent to the pool at once (split over its workers); two such chunks are in flight. */
const CHUNK_ROWS = 2048;

/**
 * Embed the store's rows `indices` on the workers of `pool` (an inference pool of a PairModel), with
 * test-time augmentation when `tta` is given: the views of a slice of the samples are made on the
 * main thread while the workers embed the slice before it, and averaged as `ttaScorer` averages
 * them. Gives the values of `PairModel.embed` (or of the TtaScorer around it) on the same backend.
 */
export async function embedOnWorkers(
  pool: GradientWorkerPool,
  store: SampleStore,
  indices: readonly number[],
  tta?: TtaViews,
): Promise<Float32Array> {
  const views = tta?.views ?? 1;
  const d = pool.embeddingSize;
  const out = new Float32Array(indices.length * d);
  const slice = Math.max(1, Math.floor(CHUNK_ROWS / views));
  const pending: Promise<void>[] = [];
  for (let s = 0; s < indices.length; s += slice) {
    const part = indices.slice(s, s + slice);
    const rows = part.length * views;
    const x = tta ? tta.viewStore(store, part).data : store.batchArray(part);
    const done = pool.embedRows(x as Float32Array, rows).then((all) => {
      if (tta) addViewMeans(all, part.length, views, out, s);
      else out.set(all, s * d);
    });
    done.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    pending.push(done);
    // the slice before this one must be embedded before a third is made
    if (pending.length >= 2) await pending[pending.length - 2];
  }
  await Promise.all(pending);
  return out;
}

/**
 * Worker threads for embedding `rows` samples with `scorer` (a PairModel, or a TtaScorer around one):
 * as many workers as `train.workers` asks for (`auto`: one per core, at most 4), none when that is one,
 * when the scorer is something else (an ensemble, a baseline) or when there are fewer than
 * MIN_WORKER_ROWS encoder inputs (samples x views). Returns undefined when no workers are used: embed
 * on the main thread then. Close the result after use.
 */
export async function workerEmbedderFor(
  exp: Experiment,
  scorer: EpisodeScorer,
  rows: number,
): Promise<WorkerEmbedder | undefined> {
  const tta = asTtaScorer(scorer);
  const model = tta ? tta.base : scorer;
  if (!(model instanceof PairModel)) return undefined;
  if (rows * (tta?.tta.views ?? 1) < MIN_WORKER_ROWS) return undefined;
  const workers = resolveWorkerCount(exp.loaded.config.train.workers, tf.getBackend(), Infinity);
  if (workers <= 1) return undefined;
  const modules = exp.plugins.plugins.map((p) => pathToFileURL(p.resolved).href);
  const pool = await GradientWorkerPool.forInference(model, { workers, modules });
  return {
    workers,
    embed: (store, indices) => embedOnWorkers(pool, store, indices, tta?.tta),
    close: () => pool.close(),
  };
}

/** Samples embedded per request of `embedAllRows` (between progress ticks). */
const ROWS_PER_TICK = 1024;

/** Embeddings of every row of `store` on the workers, row i at i * d, ticking `progress` as they go. */
export async function embedAllRows(
  workers: WorkerEmbedder,
  store: SampleStore,
  progress?: ProgressTask,
): Promise<Float32Array> {
  let out: Float32Array | undefined;
  for (let i = 0; i < store.count; i += ROWS_PER_TICK) {
    const slice = Array.from({ length: Math.min(ROWS_PER_TICK, store.count - i) }, (_, k) => i + k);
    const emb = await workers.embed(store, slice);
    out ??= new Float32Array((store.count * emb.length) / slice.length);
    out.set(emb, (i * emb.length) / slice.length);
    progress?.tick(slice.length);
  }
  return out ?? new Float32Array(0);
}
