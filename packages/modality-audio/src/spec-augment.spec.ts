import { Rng, augmentSettings, sampleShape } from '@fewshot/core';
import { AudioModality } from './audio-modality.js';
import { specAugment, specAugmentSchema } from './spec-augment.js';

const shape = sampleShape([6, 3, 1], ['time', 'features', 'channels']);
const parseSpecAugment = (v: unknown) => specAugmentSchema.parse(v);
const ramp = (): Float32Array => Float32Array.from({ length: 18 }, (_, i) => 1 + Math.floor(i / 3)); // frame t holds t + 1

describe('specAugment', () => {
  it('shifts whole frames, zero-filling what is vacated', () => {
    // find seeds that give each shift direction
    const o = parseSpecAugment({ timeShift: 2 });
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const x = ramp();
      specAugment(x, shape, o, new Rng(seed));
      const frames = Array.from({ length: 6 }, (_, t) => x[t * 3]!);
      for (let t = 0; t < 6; t++) expect(new Set([x[t * 3], x[t * 3 + 1], x[t * 3 + 2]]).size).toBe(1); // frames stay whole
      seen.add(frames.join(','));
    }
    expect(seen).toEqual(new Set(['0,0,1,2,3,4', '0,1,2,3,4,5', '1,2,3,4,5,6', '2,3,4,5,6,0', '3,4,5,6,0,0']));
  });

  it('masks whole frames and whole coefficients, reproducibly from the seed', () => {
    const o = parseSpecAugment({ timeMasks: 1, timeMaskFrames: 2, freqMasks: 1, freqMaskBands: 1 });
    let masked = 0;
    for (let seed = 0; seed < 20; seed++) {
      const a = ramp();
      const b = ramp();
      specAugment(a, shape, o, new Rng(seed));
      specAugment(b, shape, o, new Rng(seed));
      expect(a).toEqual(b);
      // every zero lies in an all-zero frame or an all-zero coefficient, at most 2 frames and 1 coefficient
      const zeroCols = [0, 1, 2].filter((k) => [0, 1, 2, 3, 4, 5].every((t) => a[t * 3 + k] === 0));
      const zeroRows = [0, 1, 2, 3, 4, 5].filter((t) => [0, 1, 2].every((k) => a[t * 3 + k] === 0));
      expect(zeroCols.length).toBeLessThanOrEqual(1);
      expect(zeroRows.length).toBeLessThanOrEqual(2);
      expect(a.filter((v) => v === 0).length).toBe(18 - (6 - zeroRows.length) * (3 - zeroCols.length));
      if (zeroCols.length + zeroRows.length > 0) masked++;
    }
    expect(masked).toBeGreaterThan(10);
  });

  it('validates its options', () => {
    expect(parseSpecAugment({})).toEqual({
      timeShift: 0,
      timeMasks: 0,
      timeMaskFrames: 10,
      freqMasks: 0,
      freqMaskBands: 4,
    });
    expect(() => augmentSettings(new AudioModality(), { timeMasks: -1 })).toThrow(/train\.augment\.timeMasks/);
  });
});
