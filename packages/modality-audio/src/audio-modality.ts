import {
  loadLayout,
  type DatasetSpec,
  type LabeledSet,
  type Modality,
  type Rng,
  type SampleRef,
  type SampleShape,
} from '@fewshot/core/plugin';
import { audioPreprocessSchema, audioShape, clipSamples, type AudioPreprocess } from './audio-preprocess.js';
import { spectrogramPicture } from './audio-thumbnail.js';
import { extractFeatures } from './features.js';
import { loadAudioFolder } from './folder-loader.js';
import { meydaVersion } from './meyda-mel.js';
import { loadPattern } from './pattern-loader.js';
import { libsamplerateVersion, resample } from './resample.js';
import { specAugment, specAugmentSchema, type SpecAugmentOptions } from './spec-augment.js';
import { fitLength, trimSilence } from './trim-silence.js';
import { readWav } from './wav-reader.js';

const loaders: Readonly<Record<string, (spec: DatasetSpec) => Promise<LabeledSet>>> = {
  folder: loadAudioFolder,
  pattern: loadPattern,
};

/**
 * Audio: WAV files (node-wav; mixed down to mono), resampled with libsamplerate, optionally trimmed of
 * leading/trailing silence, cropped or padded to a fixed duration, turned into MFCC or log-mel features
 * (meyda's filter bank) with optional deltas and per-utterance normalisation: one [frames, coefficients,
 * channels] map per file. Layouts: class-per-folder and file-name patterns.
 */
export class AudioModality implements Modality<AudioPreprocess, SpecAugmentOptions> {
  readonly id = 'audio';
  /** Bump when `decode` gives different data for the same file and settings (part of the cache key). */
  readonly cacheVersion = '1';
  readonly description =
    'audio (WAV): class-per-folder and file-name-pattern layouts, resampled, MFCC or log-mel feature maps';
  readonly layouts = Object.keys(loaders);
  readonly defaultEncoder = 'audio-conv2d';
  readonly preprocessSchema = audioPreprocessSchema;
  /** A picture of the decoded features (report thumbnails). */
  thumbnail = async (ref: SampleRef, p: AudioPreprocess): Promise<ReturnType<typeof spectrogramPicture>> =>
    spectrogramPicture(await this.decode(ref, p), audioShape(p));

  /** SpecAugment-style time shift and masks (see `specAugmentSchema`). */
  readonly augmentSchema = specAugmentSchema;

  /** [time, features (MFCC) or frequency (log mel), channels]. */
  sampleShape(p: AudioPreprocess): SampleShape {
    return audioShape(p);
  }

  /** Features are not 8-bit data: never quantised, even when they lie in [0, 1]. */
  storesAsUint8(): boolean {
    return false;
  }

  async load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, loaders, spec);
  }

  async decode(ref: SampleRef, p: AudioPreprocess): Promise<Float32Array> {
    const wav = readWav(ref.path);
    let x = await resample(wav.samples, wav.sampleRate, p.sampleRate, p.resampler, ref.path);
    if (p.trimDb > 0) x = trimSilence(x, p.sampleRate, p.trimDb);
    return extractFeatures(fitLength(x, clipSamples(p)), p);
  }

  /** SpecAugment-style time shift and time/frequency masks (`train.augment`), in place. */
  augment(sample: Float32Array, p: AudioPreprocess, o: SpecAugmentOptions, rng: Rng): void {
    specAugment(sample, audioShape(p), o, rng);
  }

  info(): Record<string, string> {
    return {
      'wav decoder': 'node-wav (header checked by fewshot)',
      resampler: `libsamplerate-js ${libsamplerateVersion()} (band-limited sinc)`,
      features: `meyda ${meydaVersion()} mel filter bank and MFCC`,
    };
  }
}
