import { Worker } from 'node:worker_threads';
import { FewshotError } from '../errors.js';
import type { InferencePlan } from './inference-plan.js';
import type { FromPlanWorker, ToPlanWorker } from './plan-worker.js';

/** An embedding worker failed: it could not start, threw while embedding, or died. */
export class EmbeddingWorkerError extends FewshotError {
  override readonly title = 'Embedding worker error';
}

const WORKER_URL = new URL('./plan-worker.js', import.meta.url);

/** Options of `PlanWorkerPool.start`. */
export interface PlanWorkerPoolOptions {
  /** Worker threads (>= 1), each with the whole plan. */
  readonly workers: number;
  /** Use the Winograd convolution where it fits (see `PlanRunnerOptions.winograd`). Default false. */
  readonly winograd?: boolean;
}

interface Pending {
  resolve(data: Float32Array): void;
  reject(err: Error): void;
}

/**
 * One worker thread and its outstanding requests (it keeps the process alive only while one is). It starts
 * loading tfjs-core and the wasm backend when created; `start` sends it the plan.
 */
class PlanWorker {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  private ready: { resolve(layers: number): void; reject(err: Error): void } | undefined;
  private closing = false;
  /** Why the worker cannot be used, when it crashed or exited before `start` (a prewarmed worker). */
  private failure: Error | undefined;

  constructor(
    public index: number,
    private onFatal: (err: Error) => void,
  ) {
    this.worker = new Worker(WORKER_URL);
    this.worker.on('message', (m: FromPlanWorker) => this.receive(m));
    this.worker.on('error', (err: Error) => this.fatal(`embedding worker ${this.index} crashed: ${err.message}`));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fatal(`embedding worker ${this.index} exited unexpectedly (exit code ${code})`);
    });
  }

  /** A prewarmed worker joins a pool: its number in the pool, and what to call when it fails. */
  adopt(index: number, onFatal: (err: Error) => void): void {
    this.index = index;
    this.onFatal = onFatal;
  }

  start(plan: InferencePlan, winograd: boolean): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.ready = { resolve, reject };
      this.worker.ref(); // a prewarmed worker is unref'd; the process waits for `ready`
      this.worker.postMessage({ type: 'init', plan, winograd } satisfies ToPlanWorker);
    });
  }

  request(id: number, x: Float32Array, rows: number): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'embed', id, x, rows } satisfies ToPlanWorker, [x.buffer as ArrayBuffer]);
    });
  }

  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  rejectAll(err: Error): void {
    this.ready?.reject(err);
    this.ready = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private receive(m: FromPlanWorker): void {
    if (m.type === 'ready') {
      const r = this.ready;
      this.ready = undefined;
      this.worker.unref();
      r?.resolve(m.winogradLayers);
      return;
    }
    const p = m.id === undefined ? undefined : this.pending.get(m.id);
    if (m.id !== undefined) this.pending.delete(m.id);
    if (this.pending.size === 0 && !this.ready) this.worker.unref();
    if (m.type === 'embeddings') p?.resolve(m.data);
    else if (p) p.reject(new EmbeddingWorkerError(`embedding worker ${this.index} failed: ${m.message}`));
    else this.fatal(`embedding worker ${this.index} ${this.ready ? 'could not start' : 'failed'}: ${m.message}`);
  }

  private fatal(message: string): void {
    const err = new EmbeddingWorkerError(message, {
      hints: ['run again with train.workers: 1 to embed on the main thread'],
    });
    this.failure ??= err;
    this.rejectAll(err);
    this.onFatal(err);
  }
}

/**
 * Worker threads that embed with an InferencePlan on the wasm backend (plan-worker.ts): each request
 * is split into one contiguous shard per worker. Requests may overlap (the caller can prepare the next
 * one while the workers embed). `close` after use.
 */
export class PlanWorkerPool {
  private nextId = 1;
  private failure: Error | undefined;
  private closed = false;

  private constructor(
    private readonly handles: readonly PlanWorker[],
    private readonly inputSize: number,
    /** Size of one embedding. */
    readonly embeddingSize: number,
    /** Convolutions each worker runs with the Winograd kernel. */
    readonly winogradLayers: number,
  ) {}

  /** Worker threads of the pool. */
  get workers(): number {
    return this.handles.length;
  }

  static async start(plan: InferencePlan, options: PlanWorkerPoolOptions): Promise<PlanWorkerPool> {
    const { workers } = options;
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`workers must be a positive integer, got ${workers}`);
    let pool: PlanWorkerPool | undefined;
    const onFatal = (err: Error) => pool?.fail(err);
    const handles = Array.from({ length: workers }, (_, i) => {
      const w = prewarmed.shift();
      if (!w) return new PlanWorker(i, onFatal);
      w.adopt(i, onFatal);
      return w;
    });
    try {
      const layers = await Promise.all(handles.map((h) => h.start(plan, options.winograd === true)));
      const inputSize = plan.inputShape.reduce((a, b) => a * b, 1);
      pool = new PlanWorkerPool(handles, inputSize, plan.outputSize, Math.min(...layers));
      return pool;
    } catch (err) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw err;
    }
  }

  /**
   * Embeddings of `rows` inputs stored one after another in `x`, [rows x embeddingSize]. Each worker gets
   * a copy of its shard (`x` stays as it is).
   */
  async embedRows(x: Float32Array, rows: number): Promise<Float32Array> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('the embedding worker pool is closed');
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * this.inputSize)
      throw new RangeError(
        `embedRows: ${rows} inputs of ${this.inputSize} values need ${rows * this.inputSize} values, got ${x.length}`,
      );
    const d = this.embeddingSize;
    const out = new Float32Array(rows * d);
    const n = this.handles.length;
    const parts: Promise<void>[] = [];
    for (let w = 0, start = 0; w < n; w++) {
      const end = Math.round(((w + 1) * rows) / n);
      if (end > start) {
        const at = start;
        const shard = x.slice(at * this.inputSize, end * this.inputSize);
        parts.push(
          this.handles[w]!.request(this.nextId++, shard, end - at).then((e) => {
            if (e.length !== (end - at) * d)
              throw new EmbeddingWorkerError(`embedding worker ${w} returned ${e.length} values for ${end - at} rows`);
            out.set(e, at * d);
          }),
        );
      }
      start = end;
    }
    await Promise.all(parts);
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.handles.map((h) => h.terminate()));
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const h of this.handles) h.rejectAll(err);
  }
}

/** Workers started ahead of need by `prewarmPlanWorkers`, taken by the next `PlanWorkerPool.start`s. */
const prewarmed: PlanWorker[] = [];

/** What `prewarmPlanWorkers` started; `release` ends those that no pool took. */
export interface PrewarmedPlanWorkers {
  /** Of these workers, those that no pool has taken yet. */
  readonly waiting: number;
  release(): Promise<void>;
}

/**
 * Start `count` embedding workers now, so that they load tfjs-core and the wasm backend (a few tenths of a
 * second) while this thread is busy with something else, e.g. loading the model and the data of an
 * evaluation; the next `PlanWorkerPool.start`s take them before starting new ones. A worker that fails
 * meanwhile fails the pool that takes it, as a worker started by the pool would. They do not keep the
 * process alive; `release` them when done (those a pool took are closed with it).
 */
export function prewarmPlanWorkers(count: number): PrewarmedPlanWorkers {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  const mine: PlanWorker[] = [];
  for (let i = 0; i < count; i++) {
    const w = new PlanWorker(i, () => undefined);
    w.worker.unref();
    mine.push(w);
    prewarmed.push(w);
  }
  return {
    get waiting() {
      return mine.filter((w) => prewarmed.includes(w)).length;
    },
    async release() {
      const unused = mine.filter((w) => prewarmed.includes(w));
      for (const w of unused) prewarmed.splice(prewarmed.indexOf(w), 1);
      await Promise.all(unused.map((w) => w.terminate()));
    },
  };
}
