import { pathToFileURL } from 'node:url';
import { tf } from '../tfjs.js';
import type { EpisodeScorer } from '../baseline.js';
import type { SampleStore } from '../data/sample-store.js';
import type { ProgressTask } from '../progress.js';
import type { Experiment } from '../experiment.js';
import { PairModel } from '../model/pair-model.js';
import { EnsembleModel, sideBySide } from '../model/ensemble-model.js';
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
 * options, so the same values), shared as they go rather than in fixed parts: the pool takes
 * POOL_CHUNK rows per worker at a time (two requests in flight, so it never waits for this thread),
 * this thread MAIN_CHUNK rows at a time between the pool's replies, until the request is done. So
 * neither side waits for the other at the end however busy the machine is or however long this
 * thread spends making the next slice's test-time views. Every row's embedding is the same whichever
 * thread computes it.
 */
export function sharedEmbedder(pool: PlanWorkerPool, runner: PlanRunner): RowEmbedder {
  const size = runner.plan.inputShape.reduce((a, b) => a * b, 1);
  const d = runner.plan.outputSize;
  const poolChunk = POOL_CHUNK * pool.workers;
  return {
    embeddingSize: d,
    async embedRows(x, n) {
      const out = new Float32Array(n * d);
      let next = 0;
      const take = (k: number): [number, number] => {
        const a = next;
        next = Math.min(n, next + k);
        return [a, next];
      };
      const remote = async (): Promise<void> => {
        while (next < n) {
          const [a, b] = take(poolChunk);
          out.set(await pool.embedRows(x.subarray(a * size, b * size), b - a), a * d); // the pool copies its shards
        }
      };
      const there = Promise.all([remote(), remote()]);
      there.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
      while (next < n) {
        const [a, b] = take(MAIN_CHUNK);
        out.set(runner.embed(x.subarray(a * size, b * size), b - a), a * d);
        await new Promise<void>((resolve) => setImmediate(resolve)); // let the pool's replies in
      }
      await there;
      return out;
    },
  };
}

/** Rows the main thread embeds between looks at the pool's replies (a few tens of milliseconds). */
const MAIN_CHUNK = 64;
/** Rows per pool worker in one request to the pool. */
const POOL_CHUNK = 256;

/**
 * Worker threads for embedding `rows` samples with `scorer` (a PairModel or an ensemble of them, or a
 * TtaScorer around one; an ensemble's members each get their own, see `ensembleEmbedder`):
 * as many workers as `train.workers` asks for (`auto`: one per core, at most 4), none when that is one,
 * when the scorer is something else (a baseline) or when there are fewer than
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
  if (model instanceof EnsembleModel) return ensembleEmbedder(exp, model, tta?.tta, rows);
  if (!(model instanceof PairModel)) return undefined;
  return pairEmbedder(exp, model, tta?.tta, rows);
}

/**
 * An ensemble's embedder: one `pairEmbedder` per member (each with its own workers), the members
 * embedded one after another and their rows put side by side as `EnsembleModel.embed` does. Undefined
 * (the main thread embeds) when a member would not use one.
 */
async function ensembleEmbedder(
  exp: Experiment,
  model: EnsembleModel,
  tta: TtaViews | undefined,
  rows: number,
): Promise<WorkerEmbedder | undefined> {
  const parts: WorkerEmbedder[] = [];
  try {
    for (const m of model.members) {
      const e = await pairEmbedder(exp, m, tta, rows);
      if (!e) {
        await Promise.all(parts.map((p) => p.close()));
        return undefined;
      }
      parts.push(e);
    }
  } catch (e) {
    await Promise.all(parts.map((p) => p.close()));
    throw e;
  }
  return {
    workers: parts[0]!.workers,
    async embed(store, indices) {
      const embedded: Float32Array[] = [];
      for (const p of parts) embedded.push(await p.embed(store, indices)); // one member's workers at a time
      return sideBySide(embedded, model.memberSizes, indices.length);
    },
    close: async () => {
      await Promise.all(parts.map((p) => p.close()));
    },
  };
}

/** `workerEmbedderFor` of one pair model (with the views of `tta`). */
async function pairEmbedder(
  exp: Experiment,
  model: PairModel,
  tta: TtaViews | undefined,
  rows: number,
): Promise<WorkerEmbedder | undefined> {
  const workers = resolveWorkerCount(exp.loaded.config.train.workers, tf.getBackend(), Infinity);
  const useWorkers = workers > 1 && rows * (tta?.views ?? 1) >= MIN_WORKER_ROWS;
  const plan = tf.getBackend() === 'wasm' ? encoderPlan(model.encoder) : null;
  if (plan) {
    const winograd = winogradWanted();
    if (useWorkers) {
      // workers - 1 threads and the main thread, which also makes the views: one fewer start-up
      const pool = await PlanWorkerPool.start(plan, { workers: workers - 1, winograd });
      const runner = new PlanRunner(plan, { winograd });
      return {
        workers,
        embed: (store, indices) => embedOnWorkers(sharedEmbedder(pool, runner), store, indices, tta),
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
        embed: (store, indices) => embedOnWorkers(local, store, indices, tta),
        close: () => Promise.resolve(runner.dispose()),
      };
    }
  }
  if (!useWorkers) return undefined;
  const modules = exp.plugins.plugins.map((p) => pathToFileURL(p.resolved).href);
  const pool = await GradientWorkerPool.forInference(model, { workers, modules });
  return {
    workers,
    embed: (store, indices) => embedOnWorkers(pool, store, indices, tta),
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
