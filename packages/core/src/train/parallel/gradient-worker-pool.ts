import type { ResourceLimits } from 'node:worker_threads';
import { tf } from '../../tfjs.js';
import type { BackendName } from '../../backend/select-backend.js';
import type { PairModel } from '../../model/pair-model.js';
import { makeOptimizer, setLearningRate } from '../make-optimizer.js';
import { readVariables, shapesOf, sizeOf, snapshotPairModel, statVariables, writeVariables } from './model-snapshot.js';
import { GradientWorkerError, WorkerHandle } from './worker-handle.js';
import type { FromWorker, OptimizerSettings } from './worker-protocol.js';
import type { LossSpec } from '../objectives.js';
import type { OptimizerState } from '../optimizer-state.js';

export { GradientWorkerError } from './worker-handle.js';
export type { OptimizerSettings } from './worker-protocol.js';

export interface GradientWorkerPoolOptions {
  /** Worker threads, each holding one replica of the model (>= 1). */
  readonly workers: number;
  /**
   * The trainer's optimizer settings (`config.train`); the learning rate is changed with `setLearningRate`.
   * `null`: an inference-only pool (`embedRows`, `syncInto`), whose `step` and `stepShards` reject;
   * `GradientWorkerPool.forInference` makes one.
   */
  readonly optimizer: OptimizerSettings | null;
  /** Backend of every worker; default: the main thread's current backend. */
  readonly backend?: BackendName;
  /**
   * Where the optimizer runs. `replicas` (default): every worker applies the averaged gradient with
   * its own identical optimizer, so replicas stay identical without sending weights. `master`: the
   * main thread updates the model passed to `create` and sends the new weights to every worker.
   */
  readonly update?: 'replicas' | 'master';
  /** Module URLs each worker imports before building the model (plugins registering custom layers). */
  readonly modules?: readonly string[];
  /** The training objective's loss; default: pairs with the model's head. */
  readonly loss?: LossSpec;
  /** Memory limits of each worker thread (Node's `resourceLimits`); default: Node's. A worker over them fails the pool. */
  readonly resourceLimits?: ResourceLimits;
}

/** One worker's share of a step: `rows` inputs, their labels; its gradient is weighted by its label count. */
export interface Shard {
  readonly rows: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
}

type Grads = Extract<FromWorker, { type: 'grads' }>;
type Weights = Extract<FromWorker, { type: 'weights' }>;
type Embeddings = Extract<FromWorker, { type: 'embeddings' }>;
type OptimizerReply = Extract<FromWorker, { type: 'optimizer' }>;

/** What a training checkpoint keeps of a pool (`readState`, `restoreState`). */
export interface PoolState {
  /** The replicas' trainable weights (all replicas hold the same), in `trainableVariables` order. */
  readonly trainable: Float32Array;
  /** Each worker's batch-norm moving statistics (they differ between `syncInto` calls). */
  readonly stats: readonly Float32Array[];
  /** The replicas' optimizer state (the same in every replica). */
  readonly optimizer: OptimizerState;
}

/** Options of an inference-only pool. */
export type InferencePoolOptions = Omit<GradientWorkerPoolOptions, 'optimizer' | 'update' | 'loss'>;

/**
 * Data-parallel training of a PairModel on worker threads (each tfjs backend but the native one uses
 * one core). Each step splits a pair batch into one shard per worker (pairs stay whole), every worker
 * computes the loss and gradient of its shard on its own replica, and the shard-size-weighted mean
 * gradient (= the gradient of the whole batch's mean loss) updates all replicas alike.
 *
 * Batch-norm layers normalise each shard with its own statistics (as multi-GPU training does), and
 * their moving mean / variance (non-trainable) move per worker: `syncInto` averages them over the
 * workers into the main-thread model, and sends the average back, before validation and saving.
 *
 * Steps are queued: `step` may be called again before the previous one settles, so the caller can
 * prepare the next batch while the workers compute.
 *
 * `embedRows` embeds inputs with the replicas' encoders (eval mode), one contiguous shard per worker,
 * in the same queue as the steps, so it sees the weights of every step requested before it. A pool
 * created with `optimizer: null` (or `forInference`) only embeds.
 */
export class GradientWorkerPool {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: GradientWorkerError | undefined;
  private closed = false;
  private learningRate: number;
  private nextId = 1;
  private steps = 0;
  private drift = 0;
  private tensors: number[] = [];
  private readonly trains: boolean;

  private constructor(
    private readonly handles: readonly WorkerHandle[],
    private readonly trainableShapes: number[][],
    private readonly statShapes: number[][],
    private readonly master: { readonly model: PairModel; readonly optimizer: tf.Optimizer } | undefined,
    optimizer: OptimizerSettings | null,
    /** Values of one encoder input (its dims multiplied out). */
    private readonly inputSize: number,
    /** Size of one embedding (the encoder's output width). */
    readonly embeddingSize: number,
  ) {
    this.trains = optimizer !== null;
    this.learningRate = optimizer?.learningRate ?? 0;
    for (const h of handles) h.onFatal = (err) => this.fail(err);
  }

  /**
   * Start the workers with replicas of `model` (its current weights) and wait until all are ready.
   * With `optimizer: null` the pool is for inference only (see `forInference`).
   */
  static async create(model: PairModel, options: GradientWorkerPoolOptions): Promise<GradientWorkerPool> {
    const { workers } = options;
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`workers must be a positive integer, got ${workers}`);
    const inference = options.optimizer === null;
    if (!inference && !model.hasWeights) throw new RangeError(`a '${model.meta.kind}' model has no weights to train`);
    if (inference && options.update === 'master')
      throw new RangeError(`an inference-only pool (optimizer: null) has no 'master' update`);
    const dims = model.encoder.inputs[0]!.shape.slice(1);
    const embeddingSize = model.encoder.outputs[0]!.shape[1];
    if (!dims.every((d): d is number => typeof d === 'number') || typeof embeddingSize !== 'number') {
      throw new RangeError(
        `the encoder must map fixed-shape inputs to [batch, d] embeddings, got [${model.encoder.inputs[0]!.shape.join(', ')}] -> [${model.encoder.outputs[0]!.shape.join(', ')}]`,
      );
    }
    const update = options.update ?? 'replicas';
    const backend = options.backend ?? (tf.getBackend() as BackendName);
    const snapshot = snapshotPairModel(model);
    const trainableShapes = shapesOf(model.trainableVariables);
    const statShapes = shapesOf(statVariables(model));
    const url = new URL('./gradient-worker.js', import.meta.url);
    const handles = Array.from({ length: workers }, (_, i) => new WorkerHandle(i, url, options.resourceLimits));
    try {
      const init = {
        type: 'init',
        backend,
        modules: options.modules ?? [],
        snapshot,
        optimizer: update === 'replicas' ? options.optimizer : null,
        loss: options.loss ?? { objective: 'pairs' },
      } as const;
      const ready = await Promise.all(handles.map((h) => h.start(init)));
      ready.forEach((r, i) => {
        if (JSON.stringify([r.trainableShapes, r.statShapes]) !== JSON.stringify([trainableShapes, statShapes])) {
          throw new GradientWorkerError(`gradient worker ${i} rebuilt the model with different weight shapes`);
        }
      });
    } catch (err) {
      await Promise.all(handles.map((h) => h.terminate()));
      throw err;
    }
    const master =
      update === 'master' && options.optimizer ? { model, optimizer: makeOptimizer(options.optimizer) } : undefined;
    return new GradientWorkerPool(
      handles,
      trainableShapes,
      statShapes,
      master,
      options.optimizer,
      dims.reduce((a, b) => a * b, 1),
      embeddingSize,
    );
  }

  /**
   * An inference-only pool: replicas of `model` without optimizers, for `embedRows` (and `syncInto`,
   * which copies the replicas' weights, i.e. `model`'s own, back). Same as `create` with `optimizer: null`.
   */
  static forInference(model: PairModel, options: InferencePoolOptions): Promise<GradientWorkerPool> {
    return GradientWorkerPool.create(model, { ...options, optimizer: null });
  }

  get workers(): number {
    return this.handles.length;
  }

  /** Largest difference between the replicas' trainable weights found by the last `syncInto` (0: in sync). */
  get lastReplicaDrift(): number {
    return this.drift;
  }

  /** Tensors alive in each worker at the last `syncInto` (leak checks). */
  get workerTensors(): readonly number[] {
    return this.tensors;
  }

  /** Learning rate of the steps requested from now on. */
  setLearningRate(lr: number): void {
    this.learningRate = lr;
  }

  /**
   * One training step on the pair batch x = [a_1..a_n, b_1..b_n] (2n inputs, row-major) with labels y
   * (n values, 1 = same class); resolves to the batch's mean loss once every replica has the update
   * queued. x and y are copied before this returns, so the caller may reuse them.
   */
  step(x: Float32Array, y: Float32Array, n = y.length): Promise<number> {
    let shards: Shard[];
    try {
      this.checkTrains();
      shards = this.shard(x, y, n);
    } catch (err) {
      return Promise.reject(err);
    }
    const lr = this.learningRate;
    return this.enqueue(() => this.runStep(shards, lr));
  }

  /**
   * One training step from one complete batch per worker (for objectives whose batches cannot be
   * split by rows, such as prototype episodes: each worker gets its own episode). Gradients are
   * averaged weighted by label count. The arrays are transferred: do not reuse them.
   */
  stepShards(shards: readonly Shard[]): Promise<number> {
    try {
      this.checkTrains();
    } catch (err) {
      return Promise.reject(err);
    }
    if (shards.length < 1 || shards.length > this.handles.length) {
      return Promise.reject(
        new RangeError(`stepShards needs 1 to ${this.handles.length} shards, got ${shards.length}`),
      );
    }
    const lr = this.learningRate;
    return this.enqueue(() => this.runStep(shards.slice(), lr));
  }

  /**
   * Embeddings of `rows` inputs x (row-major, `rows` x the encoder's input size) by the replicas'
   * encoders in eval mode (training: false): one contiguous shard per worker, embedded in parallel
   * (in batches of up to 256 rows) and concatenated in order into [rows x embeddingSize]. Queued
   * behind the steps requested before it, so it sees their weights. x is copied before this returns.
   *
   * The request is sent as soon as the steps before it are sent, not when they finish, so calling
   * `embedRows` again before this settles keeps the workers busy (see `embedParallel`).
   */
  embedRows(x: Float32Array, rows: number): Promise<Float32Array> {
    let shards: { rows: number; x: Float32Array }[];
    try {
      if (!Number.isInteger(rows) || rows < 0)
        throw new RangeError(`embedRows needs a whole number of rows, got ${rows}`);
      if (x.length !== rows * this.inputSize) {
        throw new RangeError(
          `embedRows: ${rows} inputs of ${this.inputSize} values need ${rows * this.inputSize} values, got ${x.length}`,
        );
      }
      const w = Math.min(this.handles.length, rows);
      shards = [];
      for (let k = 0, start = 0; k < w; k++) {
        const m = Math.floor(rows / w) + (k < rows % w ? 1 : 0);
        shards.push({ rows: m, x: x.slice(start * this.inputSize, (start + m) * this.inputSize) });
        start += m;
      }
    } catch (err) {
      return Promise.reject(err);
    }
    const d = this.embeddingSize;
    // the job only sends the requests: the next queued job need not wait for the replies (each
    // worker handles its messages in order anyway); the replies are awaited outside the queue
    const sent = this.enqueue(async () => {
      const id = this.nextId++;
      const replies = Promise.all(
        shards.map((s, k) =>
          this.handles[k]!.request<Embeddings>(
            { type: 'embed', id, x: s.x, rows: s.rows },
            [s.x.buffer as ArrayBuffer],
            `embedding ${s.rows} inputs`,
          ),
        ),
      );
      replies.catch(() => undefined); // rejections are handled by the caller of embedRows
      return { replies };
    });
    return sent.then(async ({ replies }) => {
      const out = new Float32Array(rows * d);
      let off = 0;
      for (const r of await replies) {
        out.set(r.data, off);
        off += r.data.length;
      }
      if (off !== out.length)
        throw new GradientWorkerError(
          `embedRows: the workers returned ${off} values for ${rows} embeddings of size ${d}`,
        );
      return out;
    });
  }

  /**
   * Copy the trained weights into `model` (a model of the same architecture: usually the one the pool
   * was created from) and the batch-norm moving statistics averaged over the workers; the average is
   * sent back to the workers too. Waits for the queued steps.
   */
  syncInto(model: PairModel): Promise<void> {
    return this.enqueue(() => this.runSync(model));
  }

  /**
   * The state a training checkpoint needs to continue bit for bit: worker 0's trainable weights and
   * optimizer state (every replica holds the same) and each worker's batch-norm statistics. Waits for
   * the queued steps; changes nothing (unlike `syncInto`, which averages the statistics).
   */
  readState(): Promise<PoolState> {
    return this.enqueue(async () => {
      this.checkTrains();
      if (this.master)
        throw new RangeError("readState: a pool with update 'master' keeps its optimizer on the main thread");
      const id = this.nextId++;
      const weights = await Promise.all(
        this.handles.map((h) => h.request<Weights>({ type: 'get-weights', id }, [], 'reading its weights')),
      );
      const opt = await this.handles[0]!.request<OptimizerReply>(
        { type: 'get-optimizer', id: this.nextId++ },
        [],
        'reading its optimizer state',
      );
      return { trainable: weights[0]!.trainable, stats: weights.map((w) => w.stats), optimizer: opt.state };
    });
  }

  /**
   * Continue from a checkpoint: each worker's batch-norm statistics and every replica's optimizer
   * state (the trainable weights are those of the model the pool was created from).
   */
  restoreState(state: Pick<PoolState, 'stats' | 'optimizer'>): Promise<void> {
    return this.enqueue(async () => {
      this.checkTrains();
      if (state.stats.length !== this.handles.length)
        throw new RangeError(
          `restoreState: ${state.stats.length} workers' statistics for ${this.handles.length} workers`,
        );
      this.handles.forEach((h, k) => {
        h.post({ type: 'set-weights', stats: state.stats[k]! });
        h.post({ type: 'set-optimizer', state: state.optimizer });
      });
      // a reply after the posts: they were applied (or the worker reported their failure)
      const id = this.nextId++;
      await Promise.all(
        this.handles.map((h) =>
          h.request<OptimizerReply>({ type: 'get-optimizer', id }, [], 'restoring its optimizer state'),
        ),
      );
    });
  }

  /** Stop the workers; queued steps are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new GradientWorkerError('the gradient worker pool was closed');
    for (const h of this.handles) h.rejectAll(err);
    await Promise.all(this.handles.map((h) => h.terminate()));
    this.master?.optimizer.dispose();
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.tail.then(() => {
      if (this.failure) throw this.failure;
      if (this.closed) throw new GradientWorkerError('the gradient worker pool is closed');
      return job();
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private checkTrains(): void {
    if (!this.trains)
      throw new RangeError(
        'this gradient worker pool is for inference only (created without an optimizer): it cannot take training steps',
      );
  }

  private shard(x: Float32Array, y: Float32Array, n: number): Shard[] {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`a step needs a positive whole number of pairs, got ${n}`);
    if (y.length !== n) throw new RangeError(`a batch of ${n} pairs needs ${n} labels, got ${y.length}`);
    if (x.length % (2 * n) !== 0)
      throw new RangeError(`a batch of ${n} pairs needs 2 x ${n} inputs of equal size, got ${x.length} values`);
    const size = x.length / (2 * n);
    const w = Math.min(this.handles.length, n);
    const shards: Shard[] = [];
    for (let k = 0, start = 0; k < w; k++) {
      const m = Math.floor(n / w) + (k < n % w ? 1 : 0);
      const xs = new Float32Array(2 * m * size);
      xs.set(x.subarray(start * size, (start + m) * size), 0);
      xs.set(x.subarray((n + start) * size, (n + start + m) * size), m * size);
      shards.push({ rows: 2 * m, x: xs, y: y.slice(start, start + m) });
      start += m;
    }
    return shards;
  }

  private async runStep(shards: Shard[], lr: number): Promise<number> {
    // label counts are read before the arrays are transferred (a transferred array reads as empty)
    const counts = shards.map((s) => s.y.length);
    const n = counts.reduce((t, c) => t + c, 0);
    const id = this.nextId++;
    const what = `in training step ${++this.steps}`;
    const replies = await Promise.all(
      shards.map((s, k) =>
        this.handles[k]!.request<Grads>(
          { type: 'step', id, x: s.x, y: s.y, rows: s.rows },
          [s.x.buffer as ArrayBuffer, s.y.buffer as ArrayBuffer],
          what,
        ),
      ),
    );
    const grads = new Float32Array(replies[0]!.grads.length);
    let loss = 0;
    replies.forEach((r, k) => {
      const w = counts[k]! / n;
      loss += w * r.loss;
      const g = r.grads;
      for (let i = 0; i < g.length; i++) grads[i] += w * g[i]!;
    });
    if (this.master) {
      const { model, optimizer } = this.master;
      const vars = model.trainableVariables;
      setLearningRate(optimizer, lr);
      tf.tidy(() => {
        let off = 0;
        const named = vars.map((v) => ({
          name: v.name,
          tensor: tf.tensor(grads.subarray(off, (off += v.size)), v.shape, 'float32'),
        }));
        optimizer.applyGradients(named);
      });
      const trainable = readVariables(vars);
      for (const h of this.handles) h.post({ type: 'set-weights', trainable });
    } else {
      for (const h of this.handles) h.post({ type: 'apply', grads, learningRate: lr });
    }
    return loss;
  }

  private async runSync(model: PairModel): Promise<void> {
    const vars = model.trainableVariables;
    const stats = statVariables(model);
    if (JSON.stringify([shapesOf(vars), shapesOf(stats)]) !== JSON.stringify([this.trainableShapes, this.statShapes])) {
      throw new RangeError(
        `syncInto: the model '${model.meta.encoder}' does not have the weight shapes of the pool's replicas`,
      );
    }
    const id = this.nextId++;
    const all = await Promise.all(
      this.handles.map((h) => h.request<Weights>({ type: 'get-weights', id }, [], 'reading its weights')),
    );
    this.tensors = all.map((r) => r.tensors);
    this.drift = 0;
    const ref = all[0]!.trainable;
    for (const r of all.slice(1))
      for (let i = 0; i < ref.length; i++) this.drift = Math.max(this.drift, Math.abs(r.trainable[i]! - ref[i]!));
    const mean = new Float32Array(sizeOf(stats));
    for (const r of all) for (let i = 0; i < mean.length; i++) mean[i] += r.stats[i]! / all.length;
    if (!this.master) writeVariables(vars, ref);
    else if (model !== this.master.model) writeVariables(vars, readVariables(this.master.model.trainableVariables));
    writeVariables(stats, mean);
    // replicas agree again (and a replica that drifted is reset to worker 0's weights)
    if (mean.length > 0 || this.drift > 0) {
      for (const h of this.handles.slice(1))
        h.post({ type: 'set-weights', stats: mean, ...(this.drift > 0 ? { trainable: ref } : {}) });
      this.handles[0]!.post({ type: 'set-weights', stats: mean });
    }
  }

  private fail(err: GradientWorkerError): void {
    if (this.failure || this.closed) return;
    this.failure = err;
    for (const h of this.handles) h.rejectAll(err);
    void Promise.all(this.handles.map((h) => h.terminate()));
  }
}
