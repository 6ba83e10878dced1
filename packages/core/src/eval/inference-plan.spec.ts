import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { foldBatchNorm } from '../model/fold-batch-norm.js';
import { encoderPlan } from './encoder-plan.js';
import { PlanRunner } from './inference-plan.js';

/** A Conv-4-like encoder with trained-looking batch-norm statistics (so folding changes the weights). */
function convEncoder(finalPool: 'global-avg' | 'global-max' | 'flatten', dense = false): tf.Sequential {
  const init = (s: number) => tf.initializers.heNormal({ seed: s });
  const m = tf.sequential({ name: 'encoder' });
  const blocks: [number, number][] = [
    [1, 8],
    [8, 8],
    [8, 16],
  ];
  blocks.forEach(([, filters], b) => {
    m.add(
      tf.layers.conv2d({
        ...(b === 0 ? { inputShape: [12, 12, 1] } : {}),
        filters,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(b + 1),
        name: `c${b}`,
      }),
    );
    m.add(tf.layers.batchNormalization({ name: `bn${b}`, epsilon: 1e-5 }));
    m.add(tf.layers.reLU({ name: `r${b}` }));
    if (b < 2) m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `p${b}` }));
  });
  if (finalPool === 'global-avg') m.add(tf.layers.globalAveragePooling2d({ name: 'g' }));
  else if (finalPool === 'global-max') m.add(tf.layers.globalMaxPooling2d({ name: 'g' }));
  else m.add(tf.layers.flatten({ name: 'f' }));
  if (dense) m.add(tf.layers.dense({ units: 5, kernelInitializer: init(9), name: 'd' }));
  // moving statistics and affine parameters away from their initial values
  for (const l of m.layers) {
    if (l.getClassName() !== 'BatchNormalization') continue;
    const c = l.getWeights()[0]!.shape[0]!;
    const vals = (k: number, lo: number, span: number) =>
      tf.tensor1d(Array.from({ length: c }, (_, i) => lo + (span * (((i + 1) * k) % 7)) / 7));
    tf.tidy(() => l.setWeights([vals(3, 0.5, 1), vals(5, -0.2, 0.4), vals(2, -0.1, 0.3), vals(4, 0.3, 1.2)]));
  }
  return m;
}

function inputs(rows: number): Float32Array {
  return Float32Array.from({ length: rows * 144 }, (_, i) => (((i * 7919) % 97) / 97) * (i % 3 === 0 ? 1 : 0));
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

async function foldedEmbeddings(m: tf.Sequential, x: Float32Array, rows: number): Promise<Float32Array> {
  const folded = foldBatchNorm(m)!;
  const y = tf.tidy(() => folded.apply(tf.tensor(x, [rows, 12, 12, 1]), { training: false }) as tf.Tensor);
  const out = (await y.data()) as Float32Array;
  y.dispose();
  folded.dispose();
  return out;
}

describe('encoderPlan and PlanRunner', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`give the folded encoder's embeddings bit for bit on ${backend} (global avg / max pooling, flatten + dense, fused first layer)`, async () => {
      await tf.setBackend(backend);
      if (backend === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false; // no console banner
      for (const [pool, dense] of [
        ['global-avg', false],
        ['global-max', false],
        ['flatten', true],
      ] as const) {
        const m = convEncoder(pool, dense);
        const plan = encoderPlan(m)!;
        expect(plan).not.toBeNull();
        expect(plan.steps.map((s) => s.op).filter((op) => op === 'conv2d')).toHaveLength(3);
        const rows = 37;
        const x = inputs(rows);
        const want = await foldedEmbeddings(m, x, rows);
        const before = tf.memory().numTensors;
        const runner = new PlanRunner(plan, { batchSize: 16 }); // batches of 16, 16 and 5 rows
        // on wasm the first convolution (one input channel) and its max-pooling run fused, bit for bit
        expect(runner.fusedLayers).toBe(backend === 'wasm' ? 1 : 0);
        const got = runner.embed(x, rows);
        runner.dispose();
        expect(tf.memory().numTensors).toBe(before);
        expect(got).toHaveLength(want.length);
        expect(bits(got)).toEqual(bits(want));
        m.dispose();
      }
    });
  }

  it('with winograd on wasm, runs the 3x3 convolutions that fit in the Winograd kernel, to float rounding', async () => {
    await tf.setBackend('wasm');
    const m = convEncoder('global-avg');
    const plan = encoderPlan(m)!;
    const rows = 40;
    const x = inputs(rows);
    const want = await foldedEmbeddings(m, x, rows);
    const runner = new PlanRunner(plan, { winograd: true });
    expect(runner.winogradLayers).toBe(2); // 8 -> 8 and 8 -> 16; the first layer has one input channel
    const got = runner.embed(x, rows);
    runner.dispose();
    let err = 0;
    let max = 0;
    for (let i = 0; i < want.length; i++) {
      err = Math.max(err, Math.abs(got[i]! - want[i]!));
      max = Math.max(max, Math.abs(want[i]!));
    }
    expect(max).toBeGreaterThan(0.1);
    expect(err / max).toBeLessThan(2e-6);
    // on the cpu backend the option is ignored: exact
    await tf.setBackend('cpu');
    const cpu = new PlanRunner(plan, { winograd: true });
    expect(cpu.winogradLayers).toBe(0);
    cpu.dispose();
    m.dispose();
  });

  it('has no plan for encoders it cannot run, and checks its inputs', async () => {
    await tf.setBackend('cpu');
    const withDropout = tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [4, 4, 1] }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 3 }),
      ],
    });
    expect(encoderPlan(withDropout)).toBeNull();
    const tanh = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'tanh' })] });
    expect(encoderPlan(tanh)).toBeNull();
    const input = tf.input({ shape: [4] });
    const functional = tf.model({
      inputs: input,
      outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor,
    });
    expect(encoderPlan(functional)).toBeNull();
    const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu' })] });
    const plan = encoderPlan(dense)!;
    expect(plan.outputSize).toBe(3);
    const runner = new PlanRunner(plan);
    expect(() => runner.embed(new Float32Array(7), 2)).toThrow(/2 inputs of 4 values need 8 values, got 7/);
    runner.dispose();
    for (const m of [withDropout, tanh, functional, dense]) m.dispose();
  });
});
