import { dtwDistance, type Baseline, type SampleShape } from '@fewshot/core/plugin';
import { timeMajor } from './spec-augment.js';

/**
 * Dynamic time warping of two sequences of `dim`-dimensional frames: core's `dtwFrames`, the one DTW
 * of fewshot (kept here under its former name for code that imported it from this package).
 */
export { dtwFrames as dtwDistance } from '@fewshot/core/plugin';

/**
 * The classic one-example template matcher: dynamic time warping between the feature frames of two
 * clips (all coefficients and channels of a frame form its vector), nearest template wins. The distance
 * is core's `dtwDistance` over the `time` axis.
 */
export class DtwBaseline implements Baseline {
  readonly id: string;
  readonly description: string;
  readonly modalities = ['audio'];

  constructor(readonly band = 0) {
    this.id = band > 0 ? `dtw-band${band}` : 'dtw';
    this.description = `dynamic time warping on the feature frames (Euclidean frame distance, symmetric steps${band > 0 ? `, Sakoe-Chiba band of ${band} frames` : ''})`;
  }

  distance(a: Float32Array, b: Float32Array, shape: SampleShape): number {
    timeMajor(shape, `the ${this.id} baseline`);
    return dtwDistance(a, b, shape, this.band);
  }
}
