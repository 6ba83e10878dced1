import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { PairModel } from '../model/pair-model.js';
import { tinyEncoder, tinyMeta, tinyStore } from '../model/test-support.js';
import { EnsembleModel } from '../model/ensemble-model.js';
import { SampleStore } from '../data/sample-store.js';
import { sampleShape, type Modality } from '../modality.js';
import type { EpisodeScorer } from '../baseline.js';
import { embeddingParts, l2NormalizeRows, normalizedScorer } from './normalize-embeddings.js';
import { ttaScorer } from './tta-scorer.js';
import { scoreByClassMean } from './evaluate-episodes.js';

const meta = tinyMeta;
const store = (n: number): SampleStore => tinyStore(n, -0.4);

const norm = (v: ArrayLike<number>): number => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('l2NormalizeRows', () => {
  it('scales each part of each row to unit length, keeps directions, leaves zero parts zero', () => {
    const emb = Float32Array.from([3, 4, 0, 0, 2, /* row 2 */ 0, 0, 1, 1, 1]);
    const out = l2NormalizeRows(emb, [2, 3]);
    expect(Array.from(out.subarray(0, 2))).toEqual([0.6000000238418579, 0.800000011920929]);
    expect(Array.from(out.subarray(2, 5))).toEqual([0, 0, 1]);
    expect(Array.from(out.subarray(5, 7))).toEqual([0, 0]); // an all-zero part
    for (const v of out.subarray(7, 10)) expect(v).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(Array.from(emb)).toEqual([3, 4, 0, 0, 2, 0, 0, 1, 1, 1]); // the input is left alone
  });

  it('refuses parts that do not tile the rows', () => {
    expect(() => l2NormalizeRows(new Float32Array(10), [3])).toThrow(/not rows of 3/);
    expect(() => l2NormalizeRows(new Float32Array(10), [0, 5])).toThrow(/bad part sizes/);
  });
});

describe('normalizedScorer', () => {
  it('is the scorer itself with none, and for a scorer that is not a trained model', () => {
    const m = PairModel.create(tinyEncoder(1, 3), 'contrastive', meta, 1);
    const baseline: EpisodeScorer = {
      kind: 'baseline:pixel',
      embed: () => new Float32Array(0),
      scorePairs: (_e, l) => new Float32Array(l.length),
    };
    try {
      expect(normalizedScorer(m, 'none')).toBe(m);
      expect(embeddingParts(baseline)).toBeUndefined();
      expect(normalizedScorer(baseline, 'l2')).toBe(baseline);
      const flat = PairModel.flattenEncoder(sampleShape([4, 4, 1], ['height', 'width', 'channels']));
      const naive = PairModel.create(flat, 'naive', { ...meta, kind: 'naive', encoder: 'flatten' }, 1);
      expect(embeddingParts(naive)).toBeUndefined(); // its rows are the raw inputs
      expect(normalizedScorer(naive, 'l2')).toBe(naive);
      naive.dispose();
    } finally {
      m.dispose();
    }
  });

  it("embeds as the model does and scores the model's head on unit-length rows", () => {
    const m = PairModel.create(tinyEncoder(3, 4), 'contrastive', meta, 1);
    try {
      const s = store(5);
      const idx = [0, 1, 2, 3, 4];
      const scorer = normalizedScorer(m, 'l2');
      expect(scorer.kind).toBe('siamese+l2');
      const emb = scorer.embed(s, idx);
      expect(Array.from(emb)).toEqual(Array.from(m.embed(s, idx)));
      expect(norm(emb.subarray(0, 4))).not.toBeCloseTo(1, 2); // raw embeddings are not unit length
      const left = Int32Array.from([0, 0, 1, 3]);
      const right = Int32Array.from([1, 2, 4, 3]);
      const got = scorer.scorePairs(emb, left, right);
      const unit = l2NormalizeRows(emb, [4]);
      const want = m.scorePairs(unit, left, right);
      expect(Array.from(got)).toEqual(Array.from(want));
      // Euclidean distance of unit vectors: sqrt(2 - 2 cos); the same row scores 0
      const cos = (a: number, b: number): number => {
        let d = 0;
        for (let k = 0; k < 4; k++) d += unit[a * 4 + k]! * unit[b * 4 + k]!;
        return d;
      };
      expect(-got[0]!).toBeCloseTo(Math.sqrt(2 - 2 * cos(0, 1)), 4);
      expect(got[3]!).toBeCloseTo(0, 5);
      // and it changes the ranking only through the lengths: scores differ from the raw ones
      expect(Array.from(got)).not.toEqual(Array.from(m.scorePairs(emb, left, right)));
      // scoring the same matrix in two calls gives the same as one call
      const a = scorer.scorePairs(emb, left.subarray(0, 2), right.subarray(0, 2));
      const b = scorer.scorePairs(emb, left.subarray(2), right.subarray(2));
      expect([...a, ...b]).toEqual(Array.from(got));
    } finally {
      m.dispose();
    }
  });

  it("normalises each ensemble member's part on its own, and looks through test-time views", () => {
    const a = PairModel.create(tinyEncoder(1, 3), 'contrastive', meta, 1);
    const b = PairModel.create(tinyEncoder(2, 5), 'contrastive', meta, 2);
    const ens = new EnsembleModel([a, b], EnsembleModel.metaOf([a.meta, b.meta], ['member-1', 'member-2']));
    try {
      expect(embeddingParts(ens)).toEqual([3, 5]);
      const modality = {
        id: 'toy',
        augmentSchema: z.strictObject({}),
        augment: () => undefined,
      } as unknown as Modality;
      expect(embeddingParts(ttaScorer(ens, modality, {}, { views: 2, augment: {} }, 1))).toEqual([3, 5]);
      const s = store(4);
      const emb = ens.embed(s, [0, 1, 2, 3]);
      const scorer = normalizedScorer(ens, 'l2');
      const unit = l2NormalizeRows(emb, [3, 5]);
      expect(norm(unit.subarray(0, 3))).toBeCloseTo(1, 5);
      expect(norm(unit.subarray(3, 8))).toBeCloseTo(1, 5);
      const left = Int32Array.from([0, 1, 2]);
      const right = Int32Array.from([3, 3, 0]);
      expect(Array.from(scorer.scorePairs(emb, left, right))).toEqual(Array.from(ens.scorePairs(unit, left, right)));
      // one-shot scoring through it: a class's score is its support's normalised score
      const [scores] = scoreByClassMean(scorer, emb, [{ queries: [0], supportSet: [[1], [2]] }]);
      expect(scores![0]).toBeCloseTo(ens.scorePairs(unit, Int32Array.from([0]), Int32Array.from([1]))[0]!, 6);
    } finally {
      ens.dispose();
    }
  });
});
