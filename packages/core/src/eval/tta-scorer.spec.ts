import { z } from 'zod';
import { SampleStore } from '../data/sample-store.js';
import type { EpisodeScorer } from '../baseline.js';
import type { Modality } from '../modality.js';
import { ConfigError } from '../errors.js';
import { ttaScorer } from './tta-scorer.js';
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

const store = new SampleStore(sampleShape([1, 2, 1], ['height', 'width', 'channels']), Float32Array.from([0, 1, 10, 11, 20, 21]));

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
    expect([...ttaScorer(identity, modality, {}, { views: 4, augment: { offset: 1 } }, 7).embed(store, [0, 1, 2])]).toEqual([...all]);
    expect([...ttaScorer(identity, modality, {}, { views: 4, augment: { offset: 1 } }, 8).embed(store, [0, 1, 2])]).not.toEqual([...all]);
  });

  it('leaves the store untouched', () => {
    const before = [...store.data];
    ttaScorer(identity, modality, {}, { views: 3, augment: { offset: 5 } }, 1).embed(store, [0, 1, 2]);
    expect([...store.data]).toEqual(before);
  });

  it('refuses views for a modality without augmentation', () => {
    const plain = { id: 'plain' } as unknown as Modality;
    expect(() => ttaScorer(identity, plain, {}, { views: 2, augment: {} }, 1)).toThrow(ConfigError);
    expect(() => ttaScorer(identity, plain, {}, { views: 2, augment: {} }, 1)).toThrow(/eval\.tta\.views is 2, but the 'plain' modality has no augmentation/);
  });
});
