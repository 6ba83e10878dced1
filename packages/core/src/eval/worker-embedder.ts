import { pathToFileURL } from 'node:url';
import { tf } from '../tfjs.js';
import type { EpisodeScorer } from '../baseline.js';
import type { SampleStore } from '../data/sample-store.js';
import type { ProgressTask } from '../progress.js';
import type { Experiment } from '../experiment.js';
import { PairModel } from '../model/pair-model.js';
import { GradientWorkerPool } from '../train/parallel/gradient-worker-pool.js';
import { resolveWorkerCount } from '../train/parallel/worker-count.js';
import { addViewMeans, asTtaScorer, type TtaViews } from './tta-scorer.js';
import { encoderPlan } from './encoder-plan.js';
import { PlanRunner } from './inference-plan.js';
import { PlanWorkerPool } from './plan-worker-pool.js';

/** Embeds rows of a store: the same values as the scorer's own `embed`, computed elsewhere. */
export type AsyncEmbed = (store: SampleStore, indices: readonly number[]) => Promise<Float32Array>;

/** An `AsyncEmbed` on worker threads (or on the main thread: `workers` 0), and what to close after use. */
export interface WorkerEmbedder {
  readonly embed: AsyncEmbed;
  readonly workers: number;
  close(): Promise<void>;
}

/** Embeds encoder inputs, [rows x embeddingSize] (a GradientWorkerPool, a PlanWorkerPool, ...). */
export interface RowEmbedder {
  readonly embeddingSize: number;
  embedRows(x: Float32Array, rows: number): Promise<Float32Array>;
}

/**
 * Whether evaluation on wasm runs 3x3 convolutions with the Winograd kernel (backend/winograd-conv.ts):
 * yes unless FEWSHOT_WINOGRAD=0. Its embeddings differ from the direct convolution's by float32
 * rounding only; it is used alike on the workers and on the main thread, so the figures do not depend
 * on the number of workers.
 */
export function winogradWanted(): boolean {
  return process.env.FEWSHOT_WINOGRAD !== '0';
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
  pool: RowEmbedder,
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
 * Rows embedded partly on `pool`'s threads and partly on this thread with `runner` (the same plan and
 * options, so the same values): of every request, this thread takes a share a little below 1 / `threads`,
 * as it also makes the next slice's test-time views while the workers embed (MAIN_THREAD_SHARE).
 */
export function sharedEmbedder(pool: PlanWorkerPool, runner: PlanRunner, threads: number): RowEmbedder {
  const size = runner.plan.inputShape.reduce((a, b) => a * b, 1);
  const d = runner.plan.outputSize;
  const mainShare = MAIN_THREAD_SHARE / (threads / 2);
  return {
    embeddingSize: d,
    async embedRows(x, n) {
      const remote = n - Math.round(n * mainShare);
      const there = pool.embedRows(x.subarray(0, remote * size), remote); // the pool copies its shards
      const here = runner.embed(x.subarray(remote * size), n - remote);
      const out = new Float32Array(n * d);
      out.set(await there, 0);
      out.set(here, remote * d);
      return out;
    },
  };
}

/** Share of the rows the main thread embeds beside one worker (0.4 ran a little faster here than an even split would). */
const MAIN_THREAD_SHARE = 0.4;

/**
 * Worker threads for embedding `rows` samples with `scorer` (a PairModel, or a TtaScorer around one):
 * as many workers as `train.workers` asks for (`auto`: one per core, at most 4), none when that is one,
 * when the scorer is something else (an ensemble, a baseline) or when there are fewer than
 * MIN_WORKER_ROWS encoder inputs (samples x views). Returns undefined when no workers are used: embed
 * on the main thread then.
 * On the wasm backend, an encoder that has an inference plan (`encoderPlan`: a Sequential of
 * convolutions, pooling and dense layers, as Conv-4) is embedded from it with the Winograd convolution
 * (`winogradWanted`) by `workers - 1` lean plan workers (plan-worker.ts) and the main thread
 * (`sharedEmbedder`); with no workers, by the main thread alone (an embedder with `workers` 0).
 * Close the result after use.
 */
export async function workerEmbedderFor(
  exp: Experiment,
  scorer: EpisodeScorer,
  rows: number,
): Promise<WorkerEmbedder | undefined> {
  const tta = asTtaScorer(scorer);
  const model = tta ? tta.base : scorer;
  if (!(model instanceof PairModel)) return undefined;
  const workers = resolveWorkerCount(exp.loaded.config.train.workers, tf.getBackend(), Infinity);
  const useWorkers = workers > 1 && rows * (tta?.tta.views ?? 1) >= MIN_WORKER_ROWS;
  const plan = tf.getBackend() === 'wasm' ? encoderPlan(model.encoder) : null;
  if (plan) {
    const winograd = winogradWanted();
    if (useWorkers) {
      // workers - 1 threads and the main thread, which also makes the views: one fewer start-up
      const pool = await PlanWorkerPool.start(plan, { workers: workers - 1, winograd });
      const runner = new PlanRunner(plan, { winograd });
      return {
        workers,
        embed: (store, indices) => embedOnWorkers(sharedEmbedder(pool, runner, workers), store, indices, tta?.tta),
        close: async () => {
          runner.dispose();
          await pool.close();
        },
      };
    }
    if (winograd) {
      const runner = new PlanRunner(plan, { winograd });
      const local: RowEmbedder = {
        embeddingSize: plan.outputSize,
        embedRows: (x, n) => Promise.resolve(runner.embed(x, n)),
      };
      return {
        workers: 0,
        embed: (store, indices) => embedOnWorkers(local, store, indices, tta?.tta),
        close: () => Promise.resolve(runner.dispose()),
      };
    }
  }
  if (!useWorkers) return undefined;
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
