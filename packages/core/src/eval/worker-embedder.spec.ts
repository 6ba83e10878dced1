import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { z } from 'zod';
import { PairModel } from '../model/pair-model.js';
import { EnsembleModel } from '../model/ensemble-model.js';
import { SampleStore } from '../data/sample-store.js';
import { GradientWorkerPool } from '../train/parallel/gradient-worker-pool.js';
import { sampleShape, type Modality } from '../modality.js';
import type { Experiment } from '../experiment.js';
import { LabeledSet } from '../labeled-set.js';
import { EpisodeSampler } from '../samplers/episode-sampler.js';
import { Rng } from '../rng.js';
import { asTtaScorer, ttaScorer } from './tta-scorer.js';
import { embedAllRows, embedOnWorkers, workerEmbedderFor } from './worker-embedder.js';
import { evaluateEpisodes, evaluateEpisodesWith } from './evaluate-episodes.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = sampleShape([6, 6, 1], ['height', 'width', 'channels']);
const meta = {
  kind: 'siamese' as const,
  encoder: 'tiny',
  modality: 'test',
  preprocess: {},
  inputShape: [6, 6, 1] as const,
  margin: 1,
  plugins: [],
  backend: 'cpu',
};

function tinyModel(): PairModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const encoder = tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.conv2d({
        inputShape: [6, 6, 1],
        filters: 3,
        kernelSize: 3,
        padding: 'same',
        useBias: false,
        kernelInitializer: init(1),
        name: 'c1',
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.reLU({ name: 'r1' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: 5, kernelInitializer: init(2), name: 'd' }),
    ],
  });
  return PairModel.create(encoder, 'contrastive', meta, 3);
}

/** A modality whose augmentation shifts the whole sample by one draw in [0, 1). */
const modality = {
  id: 'toy',
  augmentSchema: z.strictObject({}),
  augment(sample: Float32Array, _pre: unknown, _o: unknown, rng: { next(): number }) {
    const shift = rng.next();
    for (let i = 0; i < sample.length; i++) sample[i]! += shift;
  },
} as unknown as Modality;

const rows = 300;
const store = new SampleStore(
  shape,
  Float32Array.from({ length: rows * 36 }, (_, i) => ((i * 7919) % 101) / 101),
);
const indices = Array.from({ length: rows }, (_, i) => (i * 37) % rows);

describe('embedOnWorkers', () => {
  let model: PairModel;
  let pool: GradientWorkerPool;
  beforeAll(async () => {
    model = tinyModel();
    pool = await GradientWorkerPool.forInference(model, { workers: 2 });
  });
  afterAll(async () => {
    await pool.close();
    model.dispose();
  });

  it('gives exactly the main thread embeddings', async () => {
    const got = await embedOnWorkers(pool, store, indices);
    expect(got).toHaveLength(rows * 5);
    expect([...got]).toEqual([...model.embed(store, indices)]);
  });

  it('gives exactly the main thread test-time augmented embeddings (views of several slices)', async () => {
    const tta = asTtaScorer(ttaScorer(model, modality, {}, { views: 9, augment: {} }, 5))!;
    const got = await embedOnWorkers(pool, store, indices, tta.tta);
    const want = tta.embed(store, indices);
    expect([...got]).toEqual([...want]);
    expect([...got]).not.toEqual([...model.embed(store, indices)]);
  });

  it('scores episodes as the main thread does', async () => {
    const samples = Array.from({ length: rows }, (_, i) => ({ id: `s${i}`, path: `/x/${i}`, label: `c${i % 10}` }));
    const set = new LabeledSet(samples, 'toy');
    const episodes = new EpisodeSampler(set, { ways: 5, shots: 2, queries: 3 }).episodes(20, new Rng(4));
    const tta = ttaScorer(model, modality, {}, { views: 4, augment: {} }, 5);
    const { seconds: _a, ...want } = evaluateEpisodes(tta, store, episodes);
    const { seconds: _b, ...got } = await evaluateEpisodesWith(
      tta,
      (s, i) => embedOnWorkers(pool, s, i, asTtaScorer(tta)!.tta),
      store,
      episodes,
    );
    expect(got).toEqual(want);
  });
});

describe('workerEmbedderFor', () => {
  const exp = (workers: number | 'auto') =>
    ({ loaded: { config: { train: { workers } } }, plugins: { plugins: [] } }) as unknown as Experiment;

  it('uses no workers for one worker, few rows or a scorer that is not a pair model', async () => {
    const model = tinyModel();
    const tta = ttaScorer(model, modality, {}, { views: 17, augment: {} }, 5);
    expect(await workerEmbedderFor(exp(1), tta, 800)).toBeUndefined();
    expect(await workerEmbedderFor(exp(2), model, 800)).toBeUndefined(); // 800 rows < 2048
    expect(
      await workerEmbedderFor(
        exp(2),
        { kind: 'pixel', embed: () => new Float32Array(0), scorePairs: () => new Float32Array(0) },
        10_000,
      ),
    ).toBeUndefined();
    const w = await workerEmbedderFor(exp(2), tta, 200); // 200 x 17 views
    expect(w?.workers).toBe(2);
    await w?.close();
    model.dispose();
  });

  it("embeds an ensemble's members each on its own workers, side by side as EnsembleModel.embed does", async () => {
    const a = tinyModel();
    const b = tinyModel();
    tf.tidy(() => b.encoder.setWeights(b.encoder.getWeights().map((w) => tf.mul(w, 0.5)))); // another member
    const ens = new EnsembleModel([a, b], EnsembleModel.metaOf([a.meta, b.meta], ['member-1', 'member-2']));
    const tta = ttaScorer(ens, modality, {}, { views: 9, augment: {} }, 5);
    expect(await workerEmbedderFor(exp(2), ens, 800)).toBeUndefined(); // too few rows for its members
    const w = (await workerEmbedderFor(exp(2), tta, rows))!; // 300 x 9 views
    try {
      expect(w.workers).toBe(2);
      const got = await w.embed(store, indices);
      expect(got).toHaveLength(rows * 10);
      expect([...got]).toEqual([...tta.embed(store, indices)]);
    } finally {
      await w.close();
      ens.dispose();
    }
  });

  it('embeds every row of a store in slices, ticking progress (embedAllRows)', async () => {
    const model = tinyModel();
    const tta = ttaScorer(model, modality, {}, { views: 3, augment: {} }, 5);
    const big = new SampleStore(
      shape,
      Float32Array.from({ length: 2100 * 36 }, (_, i) => ((i * 31) % 53) / 53),
    );
    const w = (await workerEmbedderFor(exp(2), tta, big.count))!;
    const ticks: number[] = [];
    try {
      const got = await embedAllRows(w, big, { tick: (n = 1) => void ticks.push(n), done: () => undefined });
      expect(ticks).toEqual([1024, 1024, 52]);
      expect([...got]).toEqual([
        ...tta.embed(
          big,
          Array.from({ length: big.count }, (_, i) => i),
        ),
      ]);
    } finally {
      await w.close();
      model.dispose();
    }
  });
});

describe('workerEmbedderFor on wasm (inference plan)', () => {
  const exp = (workers: number) =>
    ({ loaded: { config: { train: { workers } } }, plugins: { plugins: [] } }) as unknown as Experiment;
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('embeds on one plan worker and the main thread, or the main thread alone, as PairModel.embed does', async () => {
    const model = tinyModel();
    const tta = ttaScorer(model, modality, {}, { views: 9, augment: {} }, 5);
    const want = tta.embed(store, indices); // folded encoder, views averaged (nothing here fits Winograd)
    const shared = (await workerEmbedderFor(exp(2), tta, rows))!; // 300 x 9 views >= 2048
    const alone = (await workerEmbedderFor(exp(1), tta, rows))!;
    try {
      expect(shared.workers).toBe(2);
      expect(alone.workers).toBe(0);
      const a = await shared.embed(store, indices);
      const b = await alone.embed(store, indices);
      expect(a).toHaveLength(rows * 5);
      expect([...a]).toEqual([...want]);
      expect([...b]).toEqual([...want]);
    } finally {
      await shared.close();
      await alone.close();
      model.dispose();
    }
  });
});
