import { Rng, parseOptions } from '@fewshot/core/plugin';
import { affineMatrix, drawAffineParams, warpAffine } from '@fewshot/modality-image';
import { videoAugment, videoAugmentSchema } from './video-augment.js';
import { VideoModality } from './video-modality.js';
import { videoPreprocessSchema } from './video-preprocess.js';

const T = 4;
const S = 12;

/** A clip whose frames differ: a bar that grows frame by frame, plus a dot that moves. */
function clip(): Float32Array {
  const x = new Float32Array(T * S * S);
  for (let t = 0; t < T; t++) {
    const f = t * S * S;
    for (let c = 2; c <= 3 + 2 * t; c++) x[f + 5 * S + c] = 1;
    x[f + (2 + t) * S + 8] = 0.5;
  }
  return x;
}

const parse = (raw: Record<string, unknown>): ReturnType<typeof videoAugmentSchema.parse> =>
  parseOptions(videoAugmentSchema, raw, 'train.augment');

describe('videoAugment', () => {
  const strong = parse({ affine: true, probability: 1, rotation: 20, shear: 0.2, scale: 0.2, translation: 10 });

  it('warps every frame with one distortion drawn from the rng', () => {
    const x = clip();
    videoAugment(x, T, S, S, 1, strong, new Rng(7));
    const params = drawAffineParams(strong, S, S, new Rng(7));
    expect(params).not.toBeNull();
    const m = affineMatrix(params!, S, S);
    const original = clip();
    for (let t = 0; t < T; t++) {
      const want = new Float32Array(S * S);
      warpAffine(original.subarray(t * S * S, (t + 1) * S * S), want, S, S, 1, m, 0);
      expect(Array.from(x.subarray(t * S * S, (t + 1) * S * S))).toEqual(Array.from(want));
    }
    expect(Array.from(x)).not.toEqual(Array.from(original));
  });

  it('gives identical frames for a clip of identical frames (the same move for each frame)', () => {
    const one = clip().subarray(3 * S * S);
    const x = new Float32Array(T * S * S);
    for (let t = 0; t < T; t++) x.set(one, t * S * S);
    videoAugment(x, T, S, S, 1, strong, new Rng(3));
    const first = Array.from(x.subarray(0, S * S));
    expect(first).not.toEqual(Array.from(one));
    for (let t = 1; t < T; t++) expect(Array.from(x.subarray(t * S * S, (t + 1) * S * S))).toEqual(first);
  });

  it('keeps the shape and the [0, 1] range, and is deterministic for a seed', () => {
    const a = clip();
    const b = clip();
    videoAugment(a, T, S, S, 1, strong, new Rng(11));
    videoAugment(b, T, S, S, 1, strong, new Rng(11));
    expect(a.length).toBe(T * S * S);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    const c = clip();
    videoAugment(c, T, S, S, 1, strong, new Rng(12));
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('is off by default: {} leaves the clip as it is and draws nothing', () => {
    const o = parse({});
    expect(o.affine).toBe(false);
    const x = clip();
    const rng = new Rng(5);
    videoAugment(x, T, S, S, 1, o, rng);
    expect(Array.from(x)).toEqual(Array.from(clip()));
    expect(rng.uniform(0, 1)).toBe(new Rng(5).uniform(0, 1));
  });

  it('rejects a clip of the wrong length, class rotation and unknown keys', () => {
    expect(() => videoAugment(new Float32Array(10), T, S, S, 1, strong, new Rng(1))).toThrow(/4x12x12x1 = 576/);
    expect(() => parse({ rotateClasses: true })).toThrow(/rotateClasses/);
    expect(() => parse({ affine: true, rotaton: 5 })).toThrow(/rotaton/);
    expect(() => parse({ rotation: 5 })).toThrow(/affine/);
  });

  it('is the modality augment for [T, S, S, C] samples (RGB too)', () => {
    const modality = new VideoModality();
    const pre = videoPreprocessSchema.parse({ frames: T, size: S, channels: 3 });
    const x = new Float32Array(T * S * S * 3).map((_, i) => ((i * 37) % 101) / 100);
    const y = x.slice();
    modality.augment(x, pre, strong, new Rng(9));
    videoAugment(y, T, S, S, 3, strong, new Rng(9));
    expect(Array.from(x)).toEqual(Array.from(y));
    expect(Array.from(x)).not.toEqual(
      Array.from(new Float32Array(T * S * S * 3).map((_, i) => ((i * 37) % 101) / 100)),
    );
    const z = y.slice();
    modality.augment(z, pre, parse({}), new Rng(9));
    expect(Array.from(z)).toEqual(Array.from(y));
  });
});
