import { ConfigError, type Baseline, type SampleShape } from '@fewshot/core/plugin';
import { timeMajor } from './spec-augment.js';

/**
 * Mean over the frames of the static coefficients (channel 0) of a [frames, coefficients, channels] map.
 */
export function frameMean(x: Float32Array, shape: SampleShape): Float64Array {
  const [T, K, C] = timeMajor(shape, 'the mfcc-mean baseline');
  const mean = new Float64Array(K);
  for (let t = 0; t < T; t++) for (let k = 0; k < K; k++) mean[k]! += x[(t * K + k) * C]!;
  for (let k = 0; k < K; k++) mean[k]! /= T;
  return mean;
}

/**
 * Cosine distance (1 - cosine similarity) between the per-clip means of the static MFCCs (or log-mel
 * energies): the simplest utterance template. Needs features without per-utterance mean normalisation
 * (after it every mean is 0); a clip whose mean is 0 relative to its values is a ConfigError saying so.
 */
export class MfccMeanBaseline implements Baseline {
  readonly id = 'mfcc-mean';
  readonly description =
    "cosine distance between the clips' mean static coefficients (needs data.preprocess.normalize: none)";
  readonly modalities = ['audio'];

  distance(a: Float32Array, b: Float32Array, shape: SampleShape): number {
    const ma = meanOf(a, shape);
    const mb = meanOf(b, shape);
    // an all-zero map (digital silence) has no direction: like nothing but another silent one
    if (!ma || !mb) return !ma && !mb ? 0 : 1;
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < ma.length; k++) {
      dot += ma[k]! * mb[k]!;
      na += ma[k]! * ma[k]!;
      nb += mb[k]! * mb[k]!;
    }
    return 1 - dot / Math.sqrt(na * nb);
  }
}

function meanOf(x: Float32Array, shape: SampleShape): Float64Array | undefined {
  const mean = frameMean(x, shape);
  let norm = 0;
  for (const v of mean) norm += v * v;
  let energy = 0;
  for (let i = 0; i < x.length; i++) energy += x[i]! * x[i]!;
  if (energy === 0) return undefined;
  if (!(Math.sqrt(norm) > 1e-6 * Math.sqrt(energy / shape.dims[0]!))) {
    throw new ConfigError(
      'the mfcc-mean baseline got features whose mean over the frames is 0: they were normalised per utterance',
      {
        hints: ['evaluate it on unnormalised features: add --set data.preprocess.normalize=none'],
      },
    );
  }
  return mean;
}
