export { AudioModality } from './audio-modality.js';
export { audioPreprocessSchema, audioShape, clipSamples, type AudioPreprocess } from './audio-preprocess.js';
export { AudioConv2dEncoder, audioConv2dOptionsSchema } from './audio-conv2d-encoder.js';
export { AudioConv1dEncoder, audioConv1dOptionsSchema } from './audio-conv1d-encoder.js';
export { DtwBaseline, dtwDistance } from './dtw-baseline.js';
export { MfccMeanBaseline, frameMean } from './mfcc-mean-baseline.js';
export { loadAudioFolder, folderOptionsSchema } from './folder-loader.js';
export { loadPattern, patternOptionsSchema } from './pattern-loader.js';
export { readWav, decodeWav, type WavAudio } from './wav-reader.js';
export { encodeWav, type WavEncoding } from './encode-wav.js';
export { resample, RESAMPLERS, type Resampler } from './resample.js';
export { trimSilence, fitLength } from './trim-silence.js';
export {
  extractFeatures,
  frameGeometry,
  deltas,
  hannWindow,
  SIGNAL_SCALE,
  type FeatureSettings,
  type FrameGeometry,
} from './features.js';
export { meydaFilterBank, meydaFrame, meydaVersion } from './meyda-mel.js';
export { PowerSpectrum } from './power-spectrum.js';
export { specAugment, specAugmentSchema, timeMajor, type SpecAugmentOptions } from './spec-augment.js';
export { default } from './audio-module.js';
