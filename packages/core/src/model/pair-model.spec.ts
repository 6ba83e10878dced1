import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PairModel } from './pair-model.js';
import { SampleStore } from '../data/sample-store.js';
import type { HeadKind } from './heads.js';
import { ModelError } from '../errors.js';
import { makeOptimizer } from '../train/make-optimizer.js';
import { sampleShape } from '../modality.js';

function tinyEncoder(seed: number): tf.LayersModel {
  return tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        name: 'c1',
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.reLU({ name: 'r1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }), name: 'd' }),
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

function store(n: number): SampleStore {
  const data = new Float32Array(n * 64);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 101) / 101;
  return new SampleStore(sampleShape([8, 8, 1], ['height', 'width', 'channels']), data);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('PairModel', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const head of ['contrastive', 'l1-sigmoid', 'cosine'] as HeadKind[]) {
    it(`saves and loads back a ${head} model with the same embeddings and scores`, async () => {
      const model = PairModel.create(tinyEncoder(3), head, meta, 3);
      const s = store(10);
      // one training step so batch-norm statistics and weights move away from their initial values
      const opt = makeOptimizer({ optimizer: 'adam', learningRate: 0.01, momentum: 0.9 });
      const x = s.batch([0, 1, 2, 3, 4, 5]);
      const y = tf.tensor1d([1, 0, 1]);
      opt.minimize(() => model.pairLossOf(x, y, true), false, model.trainableVariables);
      tf.dispose([x, y]);
      opt.dispose();
      const idx = [...Array(10).keys()];
      const e1 = model.embed(s, idx, 4);
      const left = new Int32Array([0, 1, 2, 3]);
      const right = new Int32Array([4, 5, 6, 7]);
      const sc1 = model.scorePairs(e1, left, right);
      const out = path.join(dir, head);
      await model.save(out);
      const loaded = await PairModel.load(out);
      expect(loaded.meta).toEqual(model.meta);
      const e2 = loaded.embed(s, idx, 3);
      expect(Array.from(e2)).toEqual(Array.from(e1));
      expect(Array.from(loaded.scorePairs(e2, left, right))).toEqual(Array.from(sc1));
      model.dispose();
      loaded.dispose();
    });
  }

  it('does not leak tensors over train steps and embedding', () => {
    const model = PairModel.create(tinyEncoder(5), 'l1-sigmoid', meta, 5);
    const s = store(16);
    const opt = makeOptimizer({ optimizer: 'adam', learningRate: 0.001, momentum: 0.9 });
    const step = (): void => {
      const x = s.batch([...Array(16).keys()]);
      const y = tf.tensor1d([1, 0, 1, 0, 1, 0, 1, 0]);
      const cost = opt.minimize(() => model.pairLossOf(x, y, true), true, model.trainableVariables);
      tf.dispose([x, y, cost!]);
    };
    step(); // creates the optimizer's slot variables
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    const e = model.embed(s, [...Array(16).keys()], 5);
    model.scorePairs(e, new Int32Array([0, 1]), new Int32Array([2, 3]));
    expect(tf.memory().numTensors).toBe(before);
    opt.dispose();
    model.dispose();
  });

  it('names the missing file of a broken model folder', async () => {
    await expect(PairModel.load(path.join(dir, 'nope'))).rejects.toThrow(ModelError);
    await expect(PairModel.load(path.join(dir, 'nope'))).rejects.toThrow(/fewshot.json is missing/);
  });
});

describe('foldBatchNorm', () => {
  it('gives the eval-mode outputs of the original encoder (trained batch-norm statistics)', async () => {
    const { foldBatchNorm } = await import('./fold-batch-norm.js');
    const model = PairModel.create(tinyEncoder(9), 'contrastive', meta, 9);
    const s = store(12);
    const opt = makeOptimizer({ optimizer: 'adam', learningRate: 0.05, momentum: 0.9 });
    for (let i = 0; i < 3; i++) {
      const x = s.batch([...Array(12).keys()]);
      const y = tf.tensor1d([1, 0, 1, 0, 1, 0]);
      opt.minimize(() => model.pairLossOf(x, y, true), false, model.trainableVariables);
      tf.dispose([x, y]);
    }
    opt.dispose();
    const before = tf.memory().numTensors;
    const folded = foldBatchNorm(model.encoder)!;
    expect(folded.layers.map((l) => l.getClassName())).toEqual(['Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
    const [a, b] = tf.tidy(() => {
      const x = s.batch([...Array(12).keys()]);
      return [
        (model.encoder.apply(x, { training: false }) as tf.Tensor).dataSync(),
        (folded.apply(x, { training: false }) as tf.Tensor).dataSync(),
      ];
    });
    for (let i = 0; i < a!.length; i++)
      expect(Math.abs(a![i]! - b![i]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(a![i]!)));
    folded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
