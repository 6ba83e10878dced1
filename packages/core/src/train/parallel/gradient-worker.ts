/**
 * Gradient worker: one data-parallel replica of a PairModel in a worker thread (started by
 * GradientWorkerPool; runs as a plain Node ES module, outside any test runner). It initialises its
 * own tfjs backend, rebuilds the model from a snapshot, and then, one message at a time, computes
 * the loss and gradient of a shard, applies averaged gradients with its own optimizer, embeds inputs,
 * or reads and writes its weights. See worker-protocol.ts for the messages.
 */
import { tf } from '../../tfjs.js';
import { parentPort } from 'node:worker_threads';
import { Container, type ContainerModule } from 'inversify';
import { initBackend } from '../../backend/select-backend.js';
import type { PairModel } from '../../model/pair-model.js';
import { foldBatchNorm } from '../../model/fold-batch-norm.js';
import { makeOptimizer, setLearningRate } from '../make-optimizer.js';
import { coreModule } from '../../container.js';
import { ModalityRegistry } from '../../registry.js';
import { TrainSchema, type TrainConfig } from '../../config/experiment-schema.js';
import type { Objective } from '../objective.js';
import { readVariables, rebuildPairModel, shapesOf, statVariables, writeVariables } from './model-snapshot.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';
import { readOptimizerState, writeOptimizerState } from '../optimizer-state.js';

if (!parentPort) throw new Error('gradient-worker.js must be started as a worker thread by GradientWorkerPool');
const port = parentPort;

interface Replica {
  readonly model: PairModel;
  readonly vars: tf.Variable[];
  readonly stats: tf.Variable[];
  readonly optimizer: tf.Optimizer | null;
  /** Dims of one encoder input (without the batch axis, any rank). */
  readonly inputShape: readonly number[];
  readonly objective: Objective;
  /** The train settings the objective's loss reads. */
  readonly train: TrainConfig;
}
let replica: Replica | undefined;

/**
 * The encoder used by `embed`: an inference copy with batch norm folded into the convolutions (as
 * PairModel.embed uses), or the encoder itself when there is nothing to fold. Built on first use and
 * dropped whenever the weights or batch-norm statistics may change (step, apply, set-weights), and
 * before tensors are counted (get-weights), so leak checks do not see it.
 */
let embedEncoder: { readonly encoder: tf.LayersModel; readonly copy: boolean } | undefined;

function dropEmbedEncoder(): void {
  if (embedEncoder?.copy) embedEncoder.encoder.dispose();
  embedEncoder = undefined;
}

function getEmbedEncoder(r: Replica): tf.LayersModel {
  if (!embedEncoder) {
    const folded = foldBatchNorm(r.model.encoder);
    embedEncoder = folded ? { encoder: folded, copy: true } : { encoder: r.model.encoder, copy: false };
  }
  return embedEncoder.encoder;
}

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(msg, transfer);
}

async function init(msg: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  await initBackend(msg.backend);
  const loaded: unknown[] = [];
  for (const m of msg.modules) loaded.push(await import(m));
  const objective = objectiveOf(msg.loss.objective, loaded);
  const model = await rebuildPairModel(msg.snapshot);
  const dims = model.encoder.inputs[0]!.shape.slice(1);
  if (!dims.every((d): d is number => typeof d === 'number')) {
    throw new Error(`the encoder input must have a fixed shape, got [${model.encoder.inputs[0]!.shape.join(', ')}]`);
  }
  const vars = model.trainableVariables;
  const stats = statVariables(model);
  const train = msg.loss.train ?? TrainSchema.parse({});
  replica = {
    model,
    vars,
    stats,
    optimizer: msg.optimizer ? makeOptimizer(msg.optimizer) : null,
    inputShape: dims,
    objective,
    train,
  };
  post({ type: 'ready', trainableShapes: shapesOf(vars), statShapes: shapesOf(stats) });
}

/**
 * The objective `id`, from this worker's own container: core's bindings plus the default export
 * (ContainerModule) of every imported module that has one, i.e. the same plugins as the main thread.
 */
function objectiveOf(id: string, modules: readonly unknown[]): Objective {
  const container = new Container();
  container.load(coreModule);
  for (const mod of modules) {
    const m = (mod as { default?: unknown; containerModule?: unknown } | null) ?? {};
    const candidate = (m.default ?? m.containerModule) as { load?: unknown } | undefined;
    if (
      typeof candidate === 'object' &&
      candidate !== null &&
      typeof candidate.load === 'function' &&
      'id' in candidate
    ) {
      container.load(candidate as ContainerModule);
    }
  }
  return container.get<ModalityRegistry>(ModalityRegistry).objective(id);
}

/** Throws unless x holds `rows` inputs of the model's input shape. */
function checkRows(r: Replica, x: Float32Array, rows: number, what: string): void {
  const size = r.inputShape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(rows) || rows < 1)
    throw new RangeError(`${what} needs a positive whole number of inputs, got ${rows}`);
  if (x.length !== rows * size) {
    throw new RangeError(
      `${what} of ${rows} inputs needs ${rows} x ${r.inputShape.join('x')} = ${rows * size} values, ` +
        `got ${x.length} (${x.length / rows} per input): the batch does not match the model's input shape`,
    );
  }
}

function step(r: Replica, msg: Extract<ToWorker, { type: 'step' }>): void {
  const rows = msg.rows;
  checkRows(r, msg.x, rows, 'a shard');
  const grads = new Float32Array(r.vars.reduce((s, v) => s + v.size, 0));
  let loss = NaN;
  tf.tidy(() => {
    const x = tf.tensor(msg.x, [rows, ...r.inputShape]);
    const y = tf.tensor1d(msg.y, 'float32');
    const res = tf.variableGrads(() => r.objective.loss(r.model, x, y, r.train), r.vars);
    loss = res.value.dataSync()[0]!;
    let off = 0;
    for (const v of r.vars) {
      const g = res.grads[v.name]; // absent when the loss does not depend on v: leave zeros
      if (g) grads.set(g.dataSync() as Float32Array, off);
      off += v.size;
    }
  });
  post({ type: 'grads', id: msg.id, loss, grads }, [grads.buffer as ArrayBuffer]);
}

/** Rows embedded per encoder call (as PairModel.embed). */
const EMBED_BATCH = 256;

function embed(r: Replica, msg: Extract<ToWorker, { type: 'embed' }>): void {
  const { x, rows } = msg;
  checkRows(r, x, rows, 'an embedding request');
  const size = r.inputShape.reduce((a, b) => a * b, 1);
  const encoder = getEmbedEncoder(r);
  let out: Float32Array | undefined;
  for (let i = 0; i < rows; i += EMBED_BATCH) {
    const m = Math.min(EMBED_BATCH, rows - i);
    // the tensor leaves tidy, not its values: tidy would walk every value of a returned array
    const y = tf.tidy(
      () =>
        encoder.apply(tf.tensor(x.subarray(i * size, (i + m) * size), [m, ...r.inputShape]), {
          training: false,
        }) as tf.Tensor,
    );
    const e = y.dataSync() as Float32Array;
    y.dispose();
    out ??= new Float32Array((rows * e.length) / m);
    out.set(e, (i * e.length) / m);
  }
  post({ type: 'embeddings', id: msg.id, data: out! }, [out!.buffer as ArrayBuffer]);
}

function apply(r: Replica, msg: Extract<ToWorker, { type: 'apply' }>): void {
  if (!r.optimizer) throw new Error('this replica has no optimizer (the pool applies updates on the main thread)');
  setLearningRate(r.optimizer, msg.learningRate);
  tf.tidy(() => {
    const named: tf.NamedTensorMap = {};
    let off = 0;
    for (const v of r.vars) {
      named[v.name] = tf.tensor(msg.grads.subarray(off, off + v.size), v.shape, 'float32');
      off += v.size;
    }
    r.optimizer!.applyGradients(named);
  });
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'init') return init(msg);
  const r = replica;
  if (!r) throw new Error(`'${msg.type}' before the replica was initialised`);
  if (msg.type !== 'embed') dropEmbedEncoder(); // the weights (or the batch-norm statistics of a training pass) may change
  switch (msg.type) {
    case 'step':
      return step(r, msg);
    case 'apply':
      return apply(r, msg);
    case 'embed':
      return embed(r, msg);
    case 'set-weights':
      if (msg.trainable) writeVariables(r.vars, msg.trainable);
      if (msg.stats) writeVariables(r.stats, msg.stats);
      return;
    case 'get-weights': {
      const trainable = readVariables(r.vars);
      const stats = readVariables(r.stats);
      return post({ type: 'weights', id: msg.id, trainable, stats, tensors: tf.memory().numTensors }, [
        trainable.buffer as ArrayBuffer,
        stats.buffer as ArrayBuffer,
      ]);
    }
    case 'get-optimizer': {
      if (!r.optimizer) throw new Error('this replica has no optimizer');
      const state = await readOptimizerState(r.optimizer);
      return post({ type: 'optimizer', id: msg.id, state }, [state.values.buffer as ArrayBuffer]);
    }
    case 'set-optimizer':
      if (!r.optimizer) throw new Error('this replica has no optimizer');
      return writeOptimizerState(r.optimizer, msg.state);
  }
}

// One message at a time, in arrival order (init is asynchronous).
let queue: Promise<void> = Promise.resolve();
port.on('message', (msg: ToWorker) => {
  queue = queue
    .then(() => handle(msg))
    .catch((err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      post({
        type: 'error',
        ...('id' in msg ? { id: msg.id } : {}),
        message: e.message,
        ...(e.stack ? { stack: e.stack } : {}),
      });
    });
});
