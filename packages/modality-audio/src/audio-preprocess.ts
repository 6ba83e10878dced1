import { sampleShape, z, type SampleShape } from '@fewshot/core/plugin';
import { frameGeometry, type FeatureSettings } from './features.js';
import { MAX_SAMPLE_RATE, RESAMPLERS } from './resample.js';

/**
 * `data.preprocess` of the audio modality: how a WAV file becomes a [frames, coefficients, channels]
 * feature map. The parsed form always has `coefficients`, and parsing it again gives the same object.
 */
export const audioPreprocessSchema = z
  .strictObject({
    sampleRate: z.int().min(1000).max(MAX_SAMPLE_RATE).default(16000).describe('rate (Hz) every file is resampled to'),
    duration: z
      .number()
      .min(0.05)
      .max(60)
      .default(1)
      .describe('seconds kept: the centre of longer clips, shorter ones centred in zeros'),
    trimDb: z
      .number()
      .min(0)
      .max(120)
      .default(0)
      .describe('cut leading/trailing audio this many dB below the loudest 10 ms (0 = keep all)'),
    resampler: z.enum(RESAMPLERS).default('sinc-medium').describe('libsamplerate band-limited sinc converter'),
    features: z.enum(['mfcc', 'logmel']).default('mfcc').describe('MFCC, or the log mel spectrogram'),
    coefficients: z
      .int()
      .min(13)
      .max(128)
      .optional()
      .describe('MFCCs kept (default 13, at most 40); logmel has one per mel band'),
    melBands: z.int().min(8).max(128).default(40).describe('triangular mel filters from 0 Hz to Nyquist'),
    windowMs: z
      .number()
      .min(1)
      .max(200)
      .default(25)
      .describe('analysis window in ms (the FFT size is rounded up to a power of two)'),
    hopMs: z.number().min(1).max(200).default(10).describe('frame step in ms'),
    preemphasis: z.number().min(0).lt(1).default(0.97).describe('a of y[n] = x[n] - a x[n-1] (0 = none)'),
    deltas: z
      .union([z.literal(0), z.literal(1), z.literal(2)])
      .default(0)
      .describe('1: add deltas, 2: and delta-deltas, as extra channels'),
    normalize: z
      .enum(['none', 'mean', 'meanvar'])
      .default('meanvar')
      .describe('per-utterance normalisation of every coefficient over the frames'),
    engine: z
      .enum(['fast', 'meyda'])
      .default('fast')
      .describe("'meyda': Meyda.extract frame by frame (same values, ~20x slower)"),
  })
  .superRefine((v, ctx) => {
    if (v.features === 'mfcc' && v.coefficients !== undefined && v.coefficients > 40) {
      ctx.addIssue({
        code: 'custom',
        path: ['coefficients'],
        message: `meyda computes at most 40 MFCCs, got ${v.coefficients}`,
      });
    } else if (v.features === 'mfcc' && v.coefficients !== undefined && v.coefficients > v.melBands) {
      ctx.addIssue({
        code: 'custom',
        path: ['coefficients'],
        message: `${v.coefficients} MFCCs need at least as many mel bands (melBands is ${v.melBands})`,
      });
    }
    if (v.features === 'logmel' && v.coefficients !== undefined && v.coefficients !== v.melBands) {
      ctx.addIssue({
        code: 'custom',
        path: ['coefficients'],
        message: 'logmel has one coefficient per mel band: set melBands instead',
      });
    }
    const samples = Math.round(v.duration * v.sampleRate);
    const g = frameGeometry(v, samples);
    if (g.frames < 1)
      ctx.addIssue({
        code: 'custom',
        path: ['windowMs'],
        message: `a ${v.windowMs} ms window does not fit in ${v.duration} s`,
      });
  })
  .transform((v) => ({ ...v, coefficients: v.coefficients ?? (v.features === 'mfcc' ? 13 : v.melBands) }));

/** Parsed audio preprocessing settings. */
export type AudioPreprocess = z.output<typeof audioPreprocessSchema>;

/** The feature settings of parsed preprocessing settings. */
export function featureSettings(p: AudioPreprocess): FeatureSettings {
  return p;
}

/** Samples kept per clip. */
export function clipSamples(p: AudioPreprocess): number {
  return Math.round(p.duration * p.sampleRate);
}

/**
 * [time, frequency, channels] of one decoded clip: frames, MFCCs (named `features`: cepstral
 * coefficients are not frequencies) or mel bands (`frequency`), and 1 + deltas channels.
 */
export function audioShape(p: AudioPreprocess): SampleShape {
  return sampleShape(
    [frameGeometry(p, clipSamples(p)).frames, p.coefficients, 1 + p.deltas],
    ['time', p.features === 'mfcc' ? 'features' : 'frequency', 'channels'],
  );
}
