import { ConfigError, Rng, augmentSettings } from '@fewshot/core';
import {
  affineAugment,
  affineAugmentSchema,
  affineMatrix,
  drawAffineParams,
  warpAffine,
  type AffineParams,
} from './affine-augment.js';
import { ImageModality } from './image-modality.js';

const IDENTITY: AffineParams = {
  rotation: 0,
  shearX: 0,
  shearY: 0,
  scaleX: 1,
  scaleY: 1,
  translateX: 0,
  translateY: 0,
};
const koch = affineAugmentSchema.parse({ affine: true });
const always = affineAugmentSchema.parse({ affine: true, probability: 1 });

/** A random [0, 1] image. */
function noise(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.next());
}

/** A 28x28 ring of ink (radius 6 to 9 about the centre), away from the border. */
function ring(): Float32Array {
  const x = new Float32Array(28 * 28);
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const d = Math.hypot(r - 13.5, c - 13.5);
      if (d >= 6 && d <= 9) x[r * 28 + c] = 1;
    }
  }
  return x;
}

const sum = (x: Float32Array): number => x.reduce((s, v) => s + v, 0);

describe('affineAugmentSchema', () => {
  it("fills Koch's settings and parses its own output to the same object", () => {
    expect(koch).toEqual({
      affine: true,
      probability: 0.5,
      rotation: 10,
      shear: 0.3,
      scale: 0.2,
      translation: 2,
      fill: 0,
      rotateClasses: false,
    });
    expect(affineAugmentSchema.parse(koch)).toEqual(koch);
    expect(affineAugmentSchema.parse({}).affine).toBe(false);
    expect(() => affineAugmentSchema.parse({ rotation: 5 })).toThrow(/affine/);
  });
});

describe('affineAugment', () => {
  it('leaves the sample exactly as it was with probability 0 or affine false', () => {
    const x = noise(28 * 28, 1);
    const copy = x.slice();
    const rng = new Rng(7);
    affineAugment(x, 28, 28, 1, affineAugmentSchema.parse({ affine: true, probability: 0 }), rng);
    affineAugment(x, 28, 28, 1, affineAugmentSchema.parse({ affine: false, probability: 1 }), rng);
    expect(x).toEqual(copy);
    expect(rng.next()).toBe(new Rng(7).next()); // and drew nothing
  });

  it('gives the same output for the same seed and a different one for another seed', () => {
    const run = (seed: number, scratch?: Float32Array): Float32Array => {
      const x = ring();
      affineAugment(x, 28, 28, 1, always, new Rng(seed), scratch);
      return x;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).toEqual(run(3, new Float32Array(28 * 28)));
    expect(run(3)).not.toEqual(run(4));
    expect(run(3)).not.toEqual(ring());
  });

  it('draws translations scaled from 105 px to the image size', () => {
    const o = affineAugmentSchema.parse({ affine: true, probability: 1, rotation: 0, shear: 0, scale: 0 });
    const rng = new Rng(5);
    for (let i = 0; i < 200; i++) {
      const p = drawAffineParams(o, 28, 56, rng)!;
      expect({ ...p, translateX: 0, translateY: 0 }).toEqual(IDENTITY);
      expect(Math.abs(p.translateX)).toBeLessThanOrEqual((2 * 56) / 105);
      expect(Math.abs(p.translateY)).toBeLessThanOrEqual((2 * 28) / 105);
    }
  });

  it('moves a single bright pixel by a pure translation', () => {
    const src = new Float32Array(28 * 28);
    src[10 * 28 + 10] = 1;
    const dst = new Float32Array(28 * 28);
    warpAffine(src, dst, 28, 28, 1, affineMatrix({ ...IDENTITY, translateX: 3, translateY: -2 }, 28, 28), 0);
    const expected = new Float32Array(28 * 28);
    expected[8 * 28 + 13] = 1;
    expect(dst).toEqual(expected);
  });

  it('rotates an odd-sized image by 90 degrees about its fixed centre (HWC, 2 channels)', () => {
    const n = 7;
    const src = noise(n * n * 2, 2);
    const cw = new Float32Array(n * n * 2);
    const ccw = new Float32Array(n * n * 2);
    warpAffine(src, cw, n, n, 2, affineMatrix({ ...IDENTITY, rotation: 90 }, n, n), 0);
    warpAffine(src, ccw, n, n, 2, affineMatrix({ ...IDENTITY, rotation: -90 }, n, n), 0);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        for (let k = 0; k < 2; k++) {
          const v = src[(r * n + c) * 2 + k]!;
          // clockwise on screen: row r, column c -> row c, column n-1-r
          expect(cw[(c * n + (n - 1 - r)) * 2 + k]).toBeCloseTo(v, 5);
          expect(ccw[((n - 1 - c) * n + r) * 2 + k]).toBeCloseTo(v, 5);
        }
      }
    }
    expect(cw[(3 * n + 3) * 2]).toBeCloseTo(src[(3 * n + 3) * 2]!, 6);
  });

  it('keeps the ink mass within 5% under small rotations', () => {
    const o = affineAugmentSchema.parse({ affine: true, probability: 1, shear: 0, scale: 0, translation: 0 });
    const before = sum(ring());
    for (let seed = 0; seed < 20; seed++) {
      const x = ring();
      affineAugment(x, 28, 28, 1, o, new Rng(seed));
      expect(Math.abs(sum(x) - before) / before).toBeLessThan(0.05);
    }
  });

  it('keeps [0, 1] values in [0, 1] (fill 0 or 1)', () => {
    const rng = new Rng(9);
    const white = affineAugmentSchema.parse({ affine: true, probability: 1, fill: 1 });
    for (let i = 0; i < 200; i++) {
      const x = noise(28 * 28 * 3, i);
      affineAugment(x, 28, 28, 3, i % 2 ? always : white, rng);
      expect(Math.min(...x)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...x)).toBeLessThanOrEqual(1);
    }
  });

  it("copies the sample into the caller's scratch buffer (no allocation per call), with the same result as without one", () => {
    // speed itself is measured by `npm run bench:speed`, not by a timed test
    for (let seed = 0; seed < 5; seed++) {
      const scratch = new Float32Array(28 * 28);
      const withScratch = ring();
      affineAugment(withScratch, 28, 28, 1, always, new Rng(seed), scratch);
      expect(scratch).toEqual(ring()); // the warp read the sample from the scratch buffer
      const without = ring();
      affineAugment(without, 28, 28, 1, always, new Rng(seed));
      expect(withScratch).toEqual(without);
      expect(withScratch).not.toEqual(ring());
    }
    // a scratch buffer too small for the sample is left alone (the shared one is used)
    const short = new Float32Array(10);
    const x = ring();
    affineAugment(x, 28, 28, 1, always, new Rng(1), short);
    expect(short).toEqual(new Float32Array(10));
    expect(x).not.toEqual(ring());
  });
});

describe('ImageModality.augment', () => {
  const modality = new ImageModality();
  const pre = modality.preprocessSchema.parse({ size: 28 });

  it('distorts the sample in place when affine is true', () => {
    const x = ring();
    modality.augment(x, pre, modality.augmentSchema.parse({ affine: true, probability: 1 }), new Rng(1));
    expect(x).not.toEqual(ring());
    const y = ring();
    modality.augment(y, pre, modality.augmentSchema.parse({ affine: false }), new Rng(1));
    expect(y).toEqual(ring());
  });

  it('reports bad settings as ConfigErrors naming train.augment.<key>', () => {
    const bad =
      (options: Record<string, unknown>): (() => void) =>
      () =>
        augmentSettings(modality, options, 'train.augment');
    expect(bad({ affine: true, rotation: -5 })).toThrow(ConfigError);
    expect(bad({ affine: true, rotation: -5 })).toThrow(/^train\.augment\.rotation: /);
    expect(bad({ affine: true, rotation: 'ten' })).toThrow(/train\.augment\.rotation/);
    expect(bad({ rotation: 5 })).toThrow(/train\.augment\.affine/);
    expect(bad({ affine: true, rotate: 5 })).toThrow(/train\.augment: .*rotate/);
  });
});
