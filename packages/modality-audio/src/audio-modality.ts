import { injectable } from 'inversify';
import { loadLayout, type DatasetSpec, type LabeledSet, type Modality, type Preprocess, type Rng } from '@fewshot/core';
import { audioInputShape, audioPreprocess, audioPreprocessSchema, clipSamples } from './audio-preprocess.js';
import { extractFeatures } from './features.js';
import { loadAudioFolder } from './folder-loader.js';
import { meydaVersion } from './meyda-mel.js';
import { loadPattern } from './pattern-loader.js';
import { libsamplerateVersion, resample } from './resample.js';
import { specAugment, parseSpecAugment } from './spec-augment.js';
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
@injectable()
export class AudioModality implements Modality {
  readonly id = 'audio';
  /** Bump when `decode` gives different data for the same file and settings (part of the cache key). */
  readonly cacheVersion = '1';
  readonly description = 'audio (WAV): class-per-folder and file-name-pattern layouts, resampled, MFCC or log-mel feature maps';
  readonly layouts = Object.keys(loaders);
  readonly defaultEncoder = 'audio-conv2d';
  readonly preprocessSchema = audioPreprocessSchema;

  inputShape(pre: Preprocess): [number, number, number] {
    return audioInputShape(audioPreprocess(pre));
  }

  async load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, loaders, spec);
  }

  async decode(path: string, pre: Preprocess): Promise<Float32Array> {
    const p = audioPreprocess(pre);
    const wav = readWav(path);
    let x = await resample(wav.samples, wav.sampleRate, p.sampleRate, p.resampler, path);
    if (p.trimDb > 0) x = trimSilence(x, p.sampleRate, p.trimDb);
    return extractFeatures(fitLength(x, clipSamples(p)), p);
  }

  /** SpecAugment-style time shift and time/frequency masks (`train.augment`), in place. */
  augment(sample: Float32Array, pre: Preprocess, options: Readonly<Record<string, unknown>>, rng: Rng): void {
    specAugment(sample, this.inputShape(pre), parseSpecAugment(options), rng);
  }

  info(): Record<string, string> {
    return { 'wav decoder': 'node-wav (header checked by fewshot)', resampler: `libsamplerate-js ${libsamplerateVersion()} (band-limited sinc)`, features: `meyda ${meydaVersion()} mel filter bank and MFCC` };
  }
}
