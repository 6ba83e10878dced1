import { parseOptions, z, type Rng } from '@fewshot/core';

/** `train.augment` of the audio modality (all off by default). */
export const specAugmentSchema = z.strictObject({
  timeShift: z.int().min(0).max(1000).default(0).describe('shift the frames by up to this many either way (vacated frames are 0)'),
  timeMasks: z.int().min(0).max(10).default(0).describe('time masks per sample (SpecAugment)'),
  timeMaskFrames: z.int().min(1).max(1000).default(10).describe('largest time mask, in frames'),
  freqMasks: z.int().min(0).max(10).default(0).describe('coefficient (frequency) masks per sample'),
  freqMaskBands: z.int().min(1).max(128).default(4).describe('largest coefficient mask, in coefficients'),
});
export type SpecAugmentOptions = z.output<typeof specAugmentSchema>;

const parsed = new WeakMap<object, SpecAugmentOptions>();

/** `train.augment` validated once per object; a bad setting is a ConfigError naming `train.augment.<key>`. */
export function parseSpecAugment(options: Readonly<Record<string, unknown>>): SpecAugmentOptions {
  let o = parsed.get(options);
  if (!o) {
    o = parseOptions(specAugmentSchema, options, 'train.augment');
    parsed.set(options, o);
  }
  return o;
}

/**
 * SpecAugment (Park et al. 2019) without time warping, on one [frames, coefficients, channels] map in
 * place: a random shift in time, then masks of random width and position set to 0 (the mean of
 * normalised features), over whole frames or whole coefficients (all channels).
 */
export function specAugment(x: Float32Array, shape: readonly [number, number, number], o: SpecAugmentOptions, rng: Rng): void {
  const [T, K, C] = shape;
  const row = K * C;
  if (o.timeShift > 0) {
    const s = rng.int(2 * o.timeShift + 1) - o.timeShift;
    if (s > 0) {
      x.copyWithin(s * row, 0, (T - s) * row);
      x.fill(0, 0, Math.min(T, s) * row);
    } else if (s < 0) {
      x.copyWithin(0, -s * row, T * row);
      x.fill(0, Math.max(0, T + s) * row, T * row);
    }
  }
  for (let m = 0; m < o.timeMasks; m++) {
    const w = rng.int(Math.min(o.timeMaskFrames, T) + 1);
    const t0 = rng.int(T - w + 1);
    x.fill(0, t0 * row, (t0 + w) * row);
  }
  for (let m = 0; m < o.freqMasks; m++) {
    const w = rng.int(Math.min(o.freqMaskBands, K) + 1);
    const k0 = rng.int(K - w + 1);
    for (let t = 0; t < T; t++) x.fill(0, t * row + k0 * C, t * row + (k0 + w) * C);
  }
}
