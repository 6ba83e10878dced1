import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { encoderPlan } from './encoder-plan.js';
import { PlanRunner } from './inference-plan.js';
import { EmbeddingWorkerError, PlanWorkerPool, prewarmPlanWorkers } from './plan-worker-pool.js';

function encoder(): tf.Sequential {
  const init = (s: number) => tf.initializers.heNormal({ seed: s });
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: init(1),
      }),
      tf.layers.reLU(),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(2) }),
      tf.layers.globalAveragePooling2d({}),
    ],
  });
}

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('PlanWorkerPool', () => {
  it('embeds on wasm worker threads exactly as a PlanRunner on the main thread, with and without Winograd', async () => {
    const m = encoder();
    const plan = encoderPlan(m)!;
    m.dispose();
    const rows = 101; // 51 + 50 rows over two workers
    const x = Float32Array.from({ length: rows * 64 }, (_, i) => ((i * 31) % 17) / 17);
    for (const winograd of [false, true]) {
      const local = new PlanRunner(plan, { winograd });
      const want = local.embed(x, rows);
      local.dispose();
      const pool = await PlanWorkerPool.start(plan, { workers: 2, winograd });
      try {
        expect(pool.embeddingSize).toBe(16);
        expect(pool.winogradLayers).toBe(winograd ? 1 : 0);
        const [a, b] = await Promise.all([pool.embedRows(x.slice(), rows), pool.embedRows(x.slice(0, 64 * 3), 3)]);
        expect(Array.from(a)).toEqual(Array.from(want));
        expect(Array.from(b)).toEqual(Array.from(want.subarray(0, 16 * 3)));
        expect(await pool.embedRows(new Float32Array(0), 0)).toHaveLength(0);
        await expect(pool.embedRows(new Float32Array(10), 1)).rejects.toThrow(
          /1 inputs of 64 values need 64 values, got 10/,
        );
      } finally {
        await pool.close();
      }
      await expect(pool.embedRows(x.slice(), rows)).rejects.toThrow(/closed/);
    }
  });

  it('takes prewarmed workers first, with the same embeddings; release ends only those left', async () => {
    const m = encoder();
    const plan = encoderPlan(m)!;
    m.dispose();
    const rows = 9;
    const x = Float32Array.from({ length: rows * 64 }, (_, i) => ((i * 7) % 13) / 13);
    const local = new PlanRunner(plan, { winograd: true });
    const want = local.embed(x, rows);
    local.dispose();
    const warm = prewarmPlanWorkers(1);
    expect(warm.waiting).toBe(1);
    const pool = await PlanWorkerPool.start(plan, { workers: 2, winograd: true });
    try {
      expect(warm.waiting).toBe(0);
      expect(Array.from(await pool.embedRows(x.slice(), rows))).toEqual(Array.from(want));
      await warm.release(); // taken by the pool: left running
      expect(Array.from(await pool.embedRows(x.slice(), rows))).toEqual(Array.from(want));
    } finally {
      await pool.close();
    }
    const unused = prewarmPlanWorkers(2);
    expect(unused.waiting).toBe(2);
    await unused.release();
    expect(unused.waiting).toBe(0);
    const fresh = await PlanWorkerPool.start(plan, { workers: 1, winograd: true });
    try {
      expect(Array.from(await fresh.embedRows(x.slice(), rows))).toEqual(Array.from(want));
    } finally {
      await fresh.close();
    }
    expect(() => prewarmPlanWorkers(-1)).toThrow(RangeError);
  });

  it('reports a prewarmed worker that cannot start as an EmbeddingWorkerError of the pool that takes it', async () => {
    const bad = { inputShape: [2], outputSize: 2, steps: [{ op: 'nonsense' }] } as never;
    const warm = prewarmPlanWorkers(1);
    await expect(PlanWorkerPool.start(bad, { workers: 1 })).rejects.toThrow(EmbeddingWorkerError);
    expect(warm.waiting).toBe(0);
    await warm.release();
  });

  it('reports a worker that cannot start as an EmbeddingWorkerError', async () => {
    const bad = { inputShape: [2], outputSize: 2, steps: [{ op: 'nonsense' }] } as never;
    await expect(PlanWorkerPool.start(bad, { workers: 1 })).rejects.toThrow(EmbeddingWorkerError);
    await expect(PlanWorkerPool.start(bad, { workers: 0 })).rejects.toThrow(RangeError);
  });
});
