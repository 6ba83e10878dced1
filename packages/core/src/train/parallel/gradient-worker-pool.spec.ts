import * as tf from '@tensorflow/tfjs';
import { once } from 'node:events';
import { PairModel } from '../../model/pair-model.js';
import type { HeadKind } from '../../model/heads.js';
import { makeOptimizer, setLearningRate } from '../make-optimizer.js';
import { GradientWorkerPool, GradientWorkerError, type OptimizerSettings } from './gradient-worker-pool.js';
import { readVariables, statVariables } from './model-snapshot.js';
import type { WorkerHandle } from './worker-handle.js';
import { SampleStore } from '../../data/sample-store.js';
import { embedParallel } from '../../eval/parallel-embedder.js';
import { sampleShape } from '../../modality.js';

function tinyEncoder(seed: number, batchNorm: boolean): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  return tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: init(seed),
        name: 'c1',
      }),
      ...(batchNorm ? [tf.layers.batchNormalization({ name: 'bn1', momentum: 0.5 })] : []),
      tf.layers.reLU({ name: 'r1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: 6, kernelInitializer: init(seed + 1), name: 'd' }),
    ],
  });
}

const meta = {
  kind: 'siamese' as const,
  encoder: 'tiny',
  modality: 'test',
  preprocess: {},
  inputShape: [8, 8, 1] as const,
  margin: 1,
  plugins: [],
  backend: 'cpu',
};
const model = (head: HeadKind, batchNorm = false) => PairModel.create(tinyEncoder(3, batchNorm), head, meta, 3);

/** A deterministic pair batch: x [2n, 8, 8, 1] as [a_1..a_n, b_1..b_n], y [n]. */
function batch(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  let s = seed >>> 0;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return {
    x: Float32Array.from({ length: 2 * n * 64 }, rnd),
    y: Float32Array.from({ length: n }, (_, i) => (i + seed) % 2),
  };
}

/** The same batch twice over (pairs 1..n, then 1..n again): every shard of a 2-way split sees the same data. */
function doubled(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const { x, y } = batch(n, seed);
  const half = n * 64;
  const a = x.subarray(0, half);
  const b = x.subarray(half);
  const x2 = new Float32Array(4 * half);
  x2.set(a, 0);
  x2.set(a, half);
  x2.set(b, 2 * half);
  x2.set(b, 3 * half);
  return { x: x2, y: Float32Array.from([...y, ...y]) };
}

/** The single-process step of the trainer. */
function localStep(m: PairModel, opt: tf.Optimizer, b: { x: Float32Array; y: Float32Array }): number {
  const n = b.y.length;
  const x = tf.tensor4d(b.x, [2 * n, 8, 8, 1]);
  const y = tf.tensor1d(b.y);
  const cost = opt.minimize(() => m.pairLossOf(x, y, true), true, m.trainableVariables)!;
  const loss = cost.dataSync()[0]!;
  tf.dispose([x, y, cost]);
  return loss;
}

/** max |a - b| relative to max |b|. */
function relDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return d / Math.max(scale, 1e-12);
}

const workers = (pool: GradientWorkerPool) =>
  (pool as unknown as { handles: WorkerHandle[] }).handles.map((h) => h.worker);
const threads = (pool: GradientWorkerPool) => workers(pool).map((w) => w.threadId);

beforeAll(async () => {
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false; // no tfjs-node banner
});

describe('GradientWorkerPool', () => {
  const cases: [HeadKind, OptimizerSettings, 'replicas' | 'master'][] = [
    ['l1-sigmoid', { optimizer: 'sgd', learningRate: 0.5, momentum: 0 }, 'replicas'],
    ['contrastive', { optimizer: 'adam', learningRate: 0.01, momentum: 0 }, 'replicas'],
    ['l1-sigmoid', { optimizer: 'momentum', learningRate: 0.2, momentum: 0.9 }, 'master'],
  ];
  for (const [head, opt, update] of cases) {
    it(`with 2 workers gives the weights of the single-process path (${head}, ${opt.optimizer}, ${update} update, no batch norm)`, async () => {
      const trained = model(head);
      const initial = readVariables(trained.trainableVariables);
      const pool = await GradientWorkerPool.create(trained, { workers: 2, backend: 'cpu', optimizer: opt, update });
      const local = model(head);
      const optimizer = makeOptimizer(opt);
      try {
        expect(readVariables(local.trainableVariables)).toEqual(initial);
        // 7 pairs: shards of 4 and 3, so the gradients must be weighted by shard size
        for (let s = 0; s < 4; s++) {
          const b = batch(7, s + 1);
          const lr = opt.learningRate / (s + 1);
          pool.setLearningRate(lr);
          setLearningRate(optimizer, lr);
          const poolLoss = await pool.step(b.x, b.y);
          expect(Math.abs(poolLoss - localStep(local, optimizer, b))).toBeLessThan(1e-5 * Math.abs(poolLoss));
        }
        await pool.syncInto(trained);
        expect(pool.lastReplicaDrift).toBe(0);
        const want = readVariables(local.trainableVariables);
        const got = readVariables(trained.trainableVariables);
        expect(relDiff(want, initial)).toBeGreaterThan(1e-3); // the steps did train
        expect(relDiff(got, want)).toBeLessThan(1e-5);
      } finally {
        await pool.close();
        optimizer.dispose();
        trained.dispose();
        local.dispose();
      }
    });
  }

  it('averages batch-norm moving statistics over the workers into the model', async () => {
    // each worker gets the same half of a doubled batch, so shard statistics equal the whole batch's
    const opt: OptimizerSettings = { optimizer: 'sgd', learningRate: 0.3, momentum: 0 };
    const trained = model('l1-sigmoid', true);
    const statsBefore = readVariables(statVariables(trained));
    const pool = await GradientWorkerPool.create(trained, { workers: 2, backend: 'cpu', optimizer: opt });
    const local = model('l1-sigmoid', true);
    const optimizer = makeOptimizer(opt);
    try {
      for (let s = 0; s < 3; s++) {
        const b = doubled(4, s + 10);
        await pool.step(b.x, b.y);
        localStep(local, optimizer, b);
      }
      await pool.syncInto(trained);
      const stats = readVariables(statVariables(trained));
      expect(relDiff(stats, statsBefore)).toBeGreaterThan(1e-2);
      expect(relDiff(stats, readVariables(statVariables(local)))).toBeLessThan(1e-5);
      expect(relDiff(readVariables(trained.trainableVariables), readVariables(local.trainableVariables))).toBeLessThan(
        1e-5,
      );
    } finally {
      await pool.close();
      optimizer.dispose();
      trained.dispose();
      local.dispose();
    }
  });

  for (const update of ['replicas', 'master'] as const) {
    it(`does not leak tensors in the main thread or the workers (${update} update)`, async () => {
      const m = model('cosine', true);
      const pool = await GradientWorkerPool.create(m, {
        workers: 2,
        backend: 'cpu',
        optimizer: { optimizer: 'adam', learningRate: 0.001, momentum: 0 },
        update,
      });
      try {
        const b = batch(6, 5);
        await pool.step(b.x, b.y); // the master optimizer creates its slot variables
        await pool.syncInto(m);
        const before = tf.memory().numTensors;
        const inWorkers = pool.workerTensors;
        expect(inWorkers).toHaveLength(2);
        await Promise.all([pool.step(b.x, b.y), pool.step(b.x, b.y), pool.syncInto(m), pool.step(b.x, b.y)]);
        await pool.syncInto(m);
        expect(tf.memory().numTensors).toBe(before);
        expect(pool.workerTensors).toEqual(inWorkers);
      } finally {
        await pool.close();
        m.dispose();
      }
    });
  }

  it('rejects a step with a bad input shape with the worker and the reason, and goes on working', async () => {
    const m = model('l1-sigmoid');
    const pool = await GradientWorkerPool.create(m, {
      workers: 2,
      backend: 'cpu',
      optimizer: { optimizer: 'sgd', learningRate: 0.1, momentum: 0 },
    });
    try {
      const bad = { x: new Float32Array(2 * 4 * 49), y: new Float32Array(4) }; // 7x7 inputs for an 8x8 model
      const err = await pool.step(bad.x, bad.y).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GradientWorkerError);
      expect((err as Error).message).toMatch(
        /gradient worker \d failed in training step 1: .*got 196 \(49 per input\).*input shape/,
      );
      await expect(pool.step(new Float32Array(10), new Float32Array(3))).rejects.toThrow(/3 pairs needs 2 x 3 inputs/);
      const b = batch(4, 1);
      expect(Number.isFinite(await pool.step(b.x, b.y))).toBe(true);
    } finally {
      await pool.close();
      m.dispose();
    }
  });

  it('fails clearly when a worker cannot start or dies, and stops the other workers', async () => {
    const m = model('l1-sigmoid');
    const optimizer: OptimizerSettings = { optimizer: 'sgd', learningRate: 0.1, momentum: 0 };
    await expect(
      GradientWorkerPool.create(m, {
        workers: 2,
        backend: 'cpu',
        optimizer,
        modules: ['data:text/javascript,throw new Error("no such layer plugin")'],
      }),
    ).rejects.toThrow(/gradient worker \d could not start: no such layer plugin/);
    // a module that makes worker threads exit when they are asked for a step with label 7
    const killer = `data:text/javascript,import { parentPort } from 'node:worker_threads';
      parentPort.on('message', (m) => { if (m.type === 'step' && m.y[0] === 7) process.exit(3); });`;
    const pool = await GradientWorkerPool.create(m, { workers: 2, backend: 'cpu', optimizer, modules: [killer] });
    try {
      const b = batch(4, 1);
      b.y[0] = 7;
      await expect(pool.step(b.x, b.y)).rejects.toThrow(/gradient worker 0 exited unexpectedly \(exit code 3\)/);
      await expect(pool.step(b.x, b.y.fill(1))).rejects.toThrow(/exited unexpectedly/);
      // the other worker is terminated asynchronously: wait for the exit of every thread still running
      // (never arrives, and the test times out, if the pool failed to stop it)
      await Promise.all(
        workers(pool)
          .filter((w) => w.threadId !== -1)
          .map((w) => once(w, 'exit')),
      );
      expect(threads(pool)).toEqual([-1, -1]);
    } finally {
      await pool.close();
      m.dispose();
    }
  });

  it('stops its worker threads on close and rejects later steps', async () => {
    const m = model('l1-sigmoid');
    const pool = await GradientWorkerPool.create(m, {
      workers: 2,
      backend: 'cpu',
      optimizer: { optimizer: 'sgd', learningRate: 0.1, momentum: 0 },
    });
    expect(threads(pool).every((t) => t > 0)).toBe(true);
    const b = batch(4, 2);
    const pending = pool.step(b.x, b.y);
    await pool.close();
    await expect(pending).rejects.toThrow(/closed/);
    expect(threads(pool)).toEqual([-1, -1]);
    await expect(pool.step(b.x, b.y)).rejects.toThrow(/closed/);
    m.dispose();
  });
});

describe('GradientWorkerPool.embedRows', () => {
  /** A store of `count` deterministic 8x8 inputs. */
  function store(count: number, seed: number): SampleStore {
    let s = seed >>> 0;
    const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    return new SampleStore(
      sampleShape([8, 8, 1], ['height', 'width', 'channels']),
      Float32Array.from({ length: count * 64 }, () => rnd() * 2 - 1),
    );
  }
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  const opt: OptimizerSettings = { optimizer: 'adam', learningRate: 0.01, momentum: 0 };

  it('equals model.embed of the main-thread model, in order, for any row count (2 workers, batch norm in eval mode)', async () => {
    const m = model('contrastive', true);
    const data = store(300, 7);
    const pool = await GradientWorkerPool.create(m, { workers: 2, backend: 'cpu', optimizer: opt });
    try {
      expect(pool.embeddingSize).toBe(6);
      for (const rows of [1, 2, 7, 300]) {
        const idx = range(rows).map((i) => (i * 37) % 300);
        const want = m.embed(data, idx);
        const got = await pool.embedRows(data.batchArray(idx), rows);
        expect(got).toHaveLength(rows * 6);
        expect(maxAbsDiff(got, want)).toBeLessThan(1e-6);
      }
      expect(await pool.embedRows(new Float32Array(0), 0)).toHaveLength(0);
      // the stream over chunks: 300 rows in chunks of 64 (the last one short)
      const idx = range(300).reverse();
      expect(maxAbsDiff(await embedParallel(pool, data, idx, 64), m.embed(data, idx))).toBeLessThan(1e-6);
      await expect(pool.embedRows(new Float32Array(10), 1)).rejects.toThrow(
        /1 inputs of 64 values need 64 values, got 10/,
      );
    } finally {
      await pool.close();
      m.dispose();
    }
  });

  it('sees the weights of the steps queued before it, and matches the synced main model', async () => {
    const m = model('l1-sigmoid', true);
    const data = store(50, 8);
    const idx = range(50);
    const before = m.embed(data, idx);
    const pool = await GradientWorkerPool.create(m, { workers: 2, backend: 'cpu', optimizer: opt });
    try {
      // the workers' embedding encoder (batch norm folded in) is rebuilt after weight changes
      expect(maxAbsDiff(await pool.embedRows(data.batchArray(idx), 50), before)).toBeLessThan(1e-6);
      // not awaited: the embedding is queued behind the steps
      const steps = [1, 2, 3].map((s) => batch(5, s)).map((b) => pool.step(b.x, b.y));
      const queued = pool.embedRows(data.batchArray(idx), 50);
      await Promise.all(steps);
      const afterSteps = await queued;
      expect(maxAbsDiff(afterSteps, before)).toBeGreaterThan(1e-3); // the steps changed the weights
      await pool.syncInto(m); // averages the workers' batch-norm statistics and sends them back
      const want = m.embed(data, idx);
      expect(maxAbsDiff(await pool.embedRows(data.batchArray(idx), 50), want)).toBeLessThan(1e-6);
      expect(maxAbsDiff(await embedParallel(pool, data, idx, 16), want)).toBeLessThan(1e-6);
    } finally {
      await pool.close();
      m.dispose();
    }
  });

  it('works in an inference-only pool, which refuses training steps', async () => {
    const m = model('cosine', true);
    const data = store(40, 9);
    const idx = range(40);
    const pool = await GradientWorkerPool.forInference(m, { workers: 2, backend: 'cpu' });
    const viaCreate = await GradientWorkerPool.create(m, { workers: 1, backend: 'cpu', optimizer: null });
    try {
      const want = m.embed(data, idx);
      expect(maxAbsDiff(await embedParallel(pool, data, idx), want)).toBeLessThan(1e-6);
      expect(maxAbsDiff(await viaCreate.embedRows(data.batchArray(idx), 40), want)).toBeLessThan(1e-6);
      const b = batch(4, 1);
      await expect(pool.step(b.x, b.y)).rejects.toThrow(/inference only/);
      await expect(pool.stepShards([{ rows: 8, x: b.x, y: b.y }])).rejects.toThrow(/inference only/);
      await expect(
        GradientWorkerPool.create(m, { workers: 1, backend: 'cpu', optimizer: null, update: 'master' }),
      ).rejects.toThrow(/inference-only/);
      // syncInto leaves the model's weights as they are
      const weights = readVariables(m.trainableVariables);
      await pool.syncInto(m);
      expect(readVariables(m.trainableVariables)).toEqual(weights);
    } finally {
      await Promise.all([pool.close(), viaCreate.close()]);
      m.dispose();
    }
  });

  it('does not leak tensors in the main thread or the workers', async () => {
    const m = model('contrastive', true);
    const data = store(600, 10);
    const pool = await GradientWorkerPool.create(m, { workers: 2, backend: 'cpu', optimizer: opt });
    try {
      const b = batch(6, 5);
      await pool.step(b.x, b.y);
      await pool.embedRows(data.batchArray([0, 1, 2]), 3);
      await pool.syncInto(m);
      const before = tf.memory().numTensors;
      const inWorkers = pool.workerTensors;
      expect(inWorkers).toHaveLength(2);
      // 600 rows: 300 per worker, embedded in batches of 256 and 44
      await Promise.all([
        pool.embedRows(data.batchArray(range(600)), 600),
        pool.step(b.x, b.y),
        embedParallel(pool, data, range(600), 100),
      ]);
      await expect(pool.embedRows(new Float32Array(3), 1)).rejects.toThrow(RangeError);
      await pool.syncInto(m);
      expect(tf.memory().numTensors).toBe(before);
      expect(pool.workerTensors).toEqual(inWorkers);
    } finally {
      await pool.close();
      m.dispose();
    }
  });
});
