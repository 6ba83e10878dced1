import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { Container } from 'inversify';
import { coreModule } from './container.js';
import { ModalityRegistry } from './registry.js';
import { PixelBaseline } from './pixel-baseline.js';
import { sampleShape, shapeSize } from './modality.js';
import { baselineScorer } from './baseline.js';
import { pixelBaseline, type Experiment } from './experiment.js';
import { PairModel } from './model/pair-model.js';
import { SampleStore } from './data/sample-store.js';
import { LabeledSet, type SampleRef } from './labeled-set.js';
import { EpisodeSampler } from './samplers/episode-sampler.js';
import { evaluateEpisodes } from './eval/evaluate-episodes.js';
import { Rng } from './rng.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = sampleShape([6, 5, 1], ['height', 'width', 'channels']);

/** 10 classes of 5 samples: a class prototype plus strong noise, stored as uint8 (1/255 steps, as images are). */
function noisySet(): { set: LabeledSet; store: SampleStore } {
  const rng = new Rng(11);
  const size = shapeSize(shape);
  const samples: SampleRef[] = [];
  const rows = new Uint8Array(10 * 5 * size);
  let k = 0;
  for (let c = 0; c < 10; c++) {
    const proto = Array.from({ length: size }, () => rng.next());
    for (let i = 0; i < 5; i++) {
      samples.push({ id: `c${c}/${i}`, path: `/x/c${c}/${i}`, label: `c${c}` });
      for (const p of proto) rows[k++] = Math.round(255 * Math.min(1, Math.max(0, p + 1.5 * (rng.next() - 0.5))));
    }
  }
  return { set: new LabeledSet(samples, 'noisy'), store: new SampleStore(shape, rows) };
}

/** Today's pixel nearest neighbour: a flatten encoder and the parameter-free 'pixel' distance head. */
function pixelPairModel(): PairModel {
  const meta = {
    kind: 'pixel-nn' as const,
    encoder: 'flatten',
    modality: 'test',
    preprocess: {},
    inputShape: shape.dims,
    margin: 1,
    plugins: [],
    backend: 'cpu',
  };
  return PairModel.create(PairModel.flattenEncoder(shape), 'pixel', meta, 0);
}

describe('the pixel baseline', () => {
  it('is the Euclidean distance of the values, whatever the shape', () => {
    const b = new PixelBaseline();
    expect(b.distance(Float32Array.of(0, 3, 1), Float32Array.of(4, 0, 1))).toBeCloseTo(5, 12);
    expect(b.distance(Float32Array.of(0.5, 0.5), Float32Array.of(0.5, 0.5))).toBeCloseTo(1e-6, 12);
    expect(() => b.distance(Float32Array.of(1), Float32Array.of(1, 2))).toThrow(RangeError);
  });

  for (const shots of [1, 3]) {
    it(`ranks pairs and scores episodes as the pixel PairModel did (${shots}-shot)`, () => {
      const { set, store } = noisySet();
      const episodes = new EpisodeSampler(set, { ways: 5, shots, queries: 2 }).episodes(40, new Rng(shots));
      const old = pixelPairModel();
      const scorer = baselineScorer(new PixelBaseline(), shape);
      const a = evaluateEpisodes(old, store, episodes, { batchSize: 7 });
      const b = evaluateEpisodes(scorer, store, episodes);
      old.dispose();
      expect(b.perEpisode).toEqual(a.perEpisode);
      expect(b.accuracy).toBe(a.accuracy);
      expect(a.accuracy).toBeGreaterThan(0.4); // not trivially perfect or at chance: rankings matter
      expect(a.accuracy).toBeLessThan(1);
      expect(b.errorsByClass).toEqual(a.errorsByClass);
    });
  }

  it('gives the same pair scores as the pixel head (to float32 rounding)', () => {
    const { store } = noisySet();
    const rows = Array.from({ length: 50 }, (_, i) => i);
    const old = pixelPairModel();
    const scorer = baselineScorer(new PixelBaseline(), shape);
    const left = Int32Array.from({ length: 200 }, (_, i) => i % 50);
    const right = Int32Array.from({ length: 200 }, (_, i) => (i * 7 + 3) % 50);
    const s1 = old.scorePairs(old.embed(store, rows), left, right);
    const s2 = scorer.scorePairs(scorer.embed(store, rows), left, right);
    old.dispose();
    for (let k = 0; k < s1.length; k++)
      expect(Math.abs(s1[k]! - s2[k]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(s1[k]!)));
  });

  it('is registered in core, and pixelBaseline(exp) is its scorer (reported as pixel-nn)', () => {
    const c = new Container();
    c.load(coreModule);
    const registry = c.get<ModalityRegistry>(ModalityRegistry);
    expect(registry.baseline('pixel')).toBeInstanceOf(PixelBaseline);
    const exp = {
      plugins: { registry },
      modality: { id: 'test', sampleShape: () => shape },
      preprocess: {},
      sampleShape: shape,
    } as unknown as Experiment;
    const scorer = pixelBaseline(exp);
    expect(scorer.kind).toBe('pixel-nn');
    const { store } = noisySet();
    const emb = scorer.embed(store, [0, 7]);
    expect(Array.from(emb)).toEqual(Array.from(store.row(0)).concat(Array.from(store.row(7))));
    expect(scorer.scorePairs(emb, Int32Array.of(0), Int32Array.of(1))[0]).toBeCloseTo(
      -new PixelBaseline().distance(store.row(0), store.row(7)),
      5,
    );
  });
});
