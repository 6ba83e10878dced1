import { z } from 'zod';
import { SampleStore } from '../data/sample-store.js';
import type { EpisodeScorer } from '../baseline.js';
import type { Modality } from '../modality.js';
import { ConfigError } from '../errors.js';
import { addViewMeans, asTtaScorer, ttaScorer } from './tta-scorer.js';
import { Rng } from '../rng.js';
import { sampleShape } from '../modality.js';

/** Embeds a row as itself. */
const identity: EpisodeScorer = {
  kind: 'identity',
  embed(store, indices) {
    const out = new Float32Array(indices.length * store.sampleSize);
    indices.forEach((i, k) => store.copyRow(i, out, k * store.sampleSize));
    return out;
  },
  scorePairs: (_e, left) => new Float32Array(left.length),
};

/** A modality whose augmentation adds one uniform draw in [0, offset) to every value. */
const modality = {
  id: 'toy',
  augmentSchema: z.strictObject({ offset: z.number() }),
  augment(sample: Float32Array, _pre: unknown, options: Readonly<Record<string, unknown>>, rng: { next(): number }) {
    const shift = rng.next() * Number(options['offset']);
    for (let i = 0; i < sample.length; i++) sample[i]! += shift;
  },
} as unknown as Modality;

const store = new SampleStore(
  sampleShape([1, 2, 1], ['height', 'width', 'channels']),
  Float32Array.from([0, 1, 10, 11, 20, 21]),
);

describe('ttaScorer', () => {
  it('is the scorer itself with one view', () => {
    expect(ttaScorer(identity, modality, {}, { views: 1, augment: {} }, 1)).toBe(identity);
  });

  it('averages the sample and its distorted views, the same views for a sample whatever is embedded with it', () => {
    const tta = ttaScorer(identity, modality, {}, { views: 4, augment: { offset: 1 } }, 7);
    expect(tta.kind).toBe('identity+tta4');
    const all = tta.embed(store, [0, 1, 2]);
    // each row moves by the mean of 3 shifts in [0, 1) over 4 views: (0 + s1 + s2 + s3) / 4 in (0, 0.75)
    for (let r = 0; r < 3; r++) {
      const moved = all[r * 2]! - store.row(r)[0]!;
      expect(moved).toBeGreaterThan(0);
      expect(moved).toBeLessThan(0.75);
      expect(all[r * 2 + 1]! - all[r * 2]!).toBeCloseTo(1, 5); // one shift per view for the whole sample
    }
    const alone = tta.embed(store, [2]);
    expect([...alone]).toEqual([...all.subarray(4, 6)]);
    expect([
      ...ttaScorer(identity, modality, {}, { views: 4, augment: { offset: 1 } }, 7).embed(store, [0, 1, 2]),
    ]).toEqual([...all]);
    expect([
      ...ttaScorer(identity, modality, {}, { views: 4, augment: { offset: 1 } }, 8).embed(store, [0, 1, 2]),
    ]).not.toEqual([...all]);
  });

  it('leaves the store untouched', () => {
    const before = [...store.data];
    ttaScorer(identity, modality, {}, { views: 3, augment: { offset: 5 } }, 1).embed(store, [0, 1, 2]);
    expect([...store.data]).toEqual(before);
  });

  it('refuses views for a modality without augmentation', () => {
    const plain = { id: 'plain' } as unknown as Modality;
    expect(() => ttaScorer(identity, plain, {}, { views: 2, augment: {} }, 1)).toThrow(ConfigError);
    expect(() => ttaScorer(identity, plain, {}, { views: 2, augment: {} }, 1)).toThrow(
      /eval\.tta\.views is 2, but the 'plain' modality has no augmentation/,
    );
  });

  it('embeds all views of a slice in one call and averages them in view order, as view-by-view embedding did', () => {
    const calls: number[] = [];
    const counting: EpisodeScorer = {
      ...identity,
      embed: (st, idx) => (calls.push(idx.length), identity.embed(st, idx)),
    };
    const tta = ttaScorer(counting, modality, {}, { views: 5, augment: { offset: 0.3 } }, 11);
    const got = tta.embed(store, [2, 0, 1]);
    expect(calls).toEqual([15]);
    // the former algorithm: the sample, then each view embedded on its own and added in float32
    const base = new Rng(11).fork('tta');
    const want = Float32Array.from([...store.row(2), ...store.row(0), ...store.row(1)]);
    for (let v = 1; v < 5; v++) {
      [2, 0, 1].forEach((i, k) => {
        const shift = base.fork(`${v}/${i}`).next() * 0.3;
        for (let j = 0; j < 2; j++) want[k * 2 + j]! += Math.fround(store.row(i)[j]! + shift);
      });
    }
    for (let j = 0; j < want.length; j++) want[j]! /= 5;
    expect([...got]).toEqual([...want]);
    expect(asTtaScorer(tta)?.tta.views).toBe(5);
    expect(asTtaScorer(identity)).toBeUndefined();
  });

  it('lays views out view after view, view 0 the sample itself', () => {
    const tta = asTtaScorer(ttaScorer(identity, modality, {}, { views: 3, augment: { offset: 1 } }, 2))!;
    const views = tta.tta.viewStore(store, [1, 2]);
    expect(views.count).toBe(6);
    expect([...views.row(0)]).toEqual([...store.row(1)]);
    expect([...views.row(1)]).toEqual([...store.row(2)]);
    expect(views.row(2)[0]).toBeGreaterThan(store.row(1)[0]!); // view 1 of sample 1, shifted
    expect([...tta.tta.viewStore(store, [1, 2], 1).data]).toEqual([...views.data.subarray(4)]);
  });

  it('averages views the way it lays them out (addViewMeans)', () => {
    // 2 samples, 3 views, d = 1: view-major [v0s0, v0s1, v1s0, v1s1, v2s0, v2s1]
    const out = new Float32Array(4);
    addViewMeans(Float32Array.from([1, 10, 2, 20, 6, 60]), 2, 3, out, 1);
    expect([...out]).toEqual([0, 3, 30, 0]);
  });

  it('gives the same embeddings whatever the slicing (more samples than fit in one call)', () => {
    const big = new SampleStore(
      sampleShape([1, 2, 1], ['height', 'width', 'channels']),
      Float32Array.from({ length: 2 * 900 }, (_, i) => i % 97),
    );
    const idx = Array.from({ length: 900 }, (_, i) => 899 - i);
    const tta = ttaScorer(identity, modality, {}, { views: 6, augment: { offset: 1 } }, 4);
    const all = tta.embed(big, idx);
    const one = tta.embed(big, [idx[700]!]);
    expect([...one]).toEqual([...all.subarray(1400, 1402)]);
  });
});
