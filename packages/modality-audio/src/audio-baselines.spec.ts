import { baselineScorer, ConfigError, SampleStore, sampleShape } from '@fewshot/core';

const tfc = (dims: number[]) => sampleShape(dims, ['time', 'features', 'channels']);
import { dtwDistance as coreDtw } from '@fewshot/core/plugin';
import { DtwBaseline, dtwDistance } from './dtw-baseline.js';
import { MfccMeanBaseline } from './mfcc-mean-baseline.js';

/** A 1-d sequence as frames of one value. */
const seq = (...v: number[]): Float32Array => Float32Array.from(v);

describe('dtwDistance', () => {
  it('matches a hand-computed alignment (symmetric steps, normalised by n + m)', () => {
    // a = [0, 1, 2], b = [0, 2]: best path (0,0) 2*0, (1,0) +1, (2,1) diagonal +2*0 = 1, over n + m = 5
    expect(dtwDistance(seq(0, 1, 2), seq(0, 2), 1)).toBeCloseTo(1 / 5, 12);
    expect(dtwDistance(seq(1, 2, 3), seq(1, 2, 3), 1)).toBe(0);
    expect(dtwDistance(seq(0), seq(3), 1)).toBeCloseTo((2 * 3) / 2, 12);
  });

  it('is symmetric and forgives a stretch in time that Euclidean distance does not', () => {
    const word = [0, 0, 1, 3, 5, 3, 1, 0, 0, 0];
    const slow = [0, 1, 1, 3, 3, 5, 5, 3, 1, 0]; // the same shape, stretched
    const other = [0, 5, 0, 5, 0, 5, 0, 5, 0, 5];
    const a = Float32Array.from(word);
    const b = Float32Array.from(slow);
    const c = Float32Array.from(other);
    expect(dtwDistance(a, b, 1)).toBeCloseTo(dtwDistance(b, a, 1), 12);
    expect(dtwDistance(a, b, 1)).toBeLessThan(dtwDistance(a, c, 1) / 5);
    // 2-d frames: the Euclidean frame distance uses every dimension
    expect(dtwDistance(Float32Array.of(0, 0), Float32Array.of(3, 4), 2)).toBeCloseTo(5, 12);
  });

  it('restricts the path to a Sakoe-Chiba band when asked', () => {
    // b is a far-shifted copy of a: the free path absorbs the shift, a 1-frame band cannot
    const a = Float32Array.from([0, 9, 0, 0, 0, 0, 0, 0]);
    const b = Float32Array.from([0, 0, 0, 0, 0, 0, 9, 0]);
    expect(dtwDistance(a, b, 1)).toBe(0);
    expect(dtwDistance(a, b, 1, 1)).toBeGreaterThan(1);
    expect(dtwDistance(a, b, 1, 5)).toBe(0);
    expect(new DtwBaseline(1).id).toBe('dtw-band1');
    expect(() => dtwDistance(seq(1, 2, 3), seq(1, 2), 2)).toThrow(RangeError);
  });

  it('is the baseline distance: core dtwDistance over the time axis, frames of every coefficient and channel', () => {
    const shape = tfc([3, 2, 2]);
    const a = Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    const b = Float32Array.of(1, 1, 2, 2, 5, 5, 6, 6, 0, 0, 1, 1);
    expect(new DtwBaseline().distance(a, b, shape)).toBe(dtwDistance(a, b, 4));
    expect(new DtwBaseline().distance(a, b, shape)).toBe(coreDtw(a, b, shape));
    expect(new DtwBaseline(1).distance(a, b, shape)).toBe(coreDtw(a, b, shape, 1));
  });

  it('ranks support clips through the core baseline scorer', () => {
    const shape = tfc([4, 1, 1]);
    const store = new SampleStore(
      shape,
      Float32Array.from([0, 1, 2, 3, /* query */ 0, 1, 1, 2, /* other */ 3, 0, 3, 0]),
    );
    const scorer = baselineScorer(new DtwBaseline(), shape);
    const emb = scorer.embed(store, [0, 1, 2]);
    const scores = scorer.scorePairs(emb, Int32Array.of(1, 1), Int32Array.of(0, 2));
    expect(scores[0]).toBeGreaterThan(scores[1]!);
  });
});

describe('mfcc-mean baseline', () => {
  const shape = tfc([3, 2, 1]);
  const base = new MfccMeanBaseline();

  it('is 1 - cosine of the mean static coefficients', () => {
    const a = Float32Array.of(1, 0, 3, 0, 2, 0); // mean (2, 0)
    const b = Float32Array.of(0, 1, 0, 1, 0, 4); // mean (0, 2)
    const c = Float32Array.of(5, 5, 1, 1, 0, 0); // mean (2, 2)
    expect(base.distance(a, b, shape)).toBeCloseTo(1, 12);
    expect(base.distance(a, c, shape)).toBeCloseTo(1 - Math.SQRT1_2, 12);
    expect(base.distance(a, a, shape)).toBeCloseTo(0, 12);
    // only channel 0 (the static coefficients) counts
    const withDeltas = Float32Array.of(1, 100, 0, -100, 3, 7, 0, 7, 2, 1, 0, 1);
    expect(
      base.distance(
        withDeltas,
        withDeltas.map((v, i) => (i % 2 === 0 ? v : -v)),
        tfc([3, 2, 2]),
      ),
    ).toBeCloseTo(0, 12);
  });

  it('refuses per-utterance mean-normalised features, and handles digital silence', () => {
    const normalised = Float32Array.of(1, -2, -1, 2, 0, 0);
    let err: unknown;
    try {
      base.distance(normalised, normalised, shape);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/mean over the frames is 0/);
    expect((err as ConfigError).hints.join('\n')).toMatch(/--set data\.preprocess\.normalize=none/);
    const silent = new Float32Array(6);
    expect(base.distance(silent, silent, shape)).toBe(0);
    expect(base.distance(silent, Float32Array.of(1, 0, 1, 0, 1, 0), shape)).toBe(1);
  });
});
