import { ConfigError, z, type Rng, type SampleShape } from '@fewshot/core/plugin';

/** `train.augment` of the audio modality (all off by default). */
export const specAugmentSchema = z.strictObject({
  timeShift: z
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe('shift the frames by up to this many either way (vacated frames are 0)'),
  timeMasks: z.int().min(0).max(10).default(0).describe('time masks per sample (SpecAugment)'),
  timeMaskFrames: z.int().min(1).max(1000).default(10).describe('largest time mask, in frames'),
  freqMasks: z.int().min(0).max(10).default(0).describe('coefficient (frequency) masks per sample'),
  freqMaskBands: z.int().min(1).max(128).default(4).describe('largest coefficient mask, in coefficients'),
});
export type SpecAugmentOptions = z.output<typeof specAugmentSchema>;

/**
 * SpecAugment (Park et al. 2019) without time warping, on one [frames, coefficients, channels] map in
 * place: a random shift in time, then masks of random width and position set to 0 (the mean of
 * normalised features), over whole frames or whole coefficients (all channels).
 */
export function specAugment(x: Float32Array, shape: SampleShape, o: SpecAugmentOptions, rng: Rng): void {
  const [T, K, C] = timeMajor(shape, 'SpecAugment');
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

/**
 * [T, K, C] of a [time, coefficients, channels] sample shape; a ConfigError naming `what` for any other
 * (SpecAugment, the audio encoders and baselines read frames along the first axis).
 */
export function timeMajor(shape: SampleShape, what: string): [number, number, number] {
  if (shape.dims.length !== 3 || shape.names[0] !== 'time') {
    throw new ConfigError(
      `${what} works on [time, coefficients, channels] audio features, but the samples are ${shape.dims.join('x')} (${shape.names.join(', ')})`,
      {
        hints: ['use it with the audio modality'],
      },
    );
  }
  return [shape.dims[0]!, shape.dims[1]!, shape.dims[2]!];
}
