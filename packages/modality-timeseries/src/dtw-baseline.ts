import { dtwDistance, type Baseline, type SampleShape } from '@fewshot/core/plugin';
import { DTW_BASELINE_ID, MODALITY_ID } from './ids.js';

/**
 * `timeseries-dtw`: nearest neighbour by dynamic time warping of the decoded sequences (core's
 * `dtwDistance` over the `time` axis, every feature of a step in its frame vector; the same DTW as the
 * audio plugin's `dtw`). `band` > 0 limits the warping to a Sakoe-Chiba band of that many steps.
 */
export class TimeseriesDtwBaseline implements Baseline {
  readonly id: string;
  readonly description: string;
  readonly modalities = [MODALITY_ID];

  constructor(readonly band = 0) {
    this.id = band > 0 ? `${DTW_BASELINE_ID}-band${band}` : DTW_BASELINE_ID;
    this.description = `dynamic time warping of the decoded sequences (Euclidean step distance, symmetric steps${band > 0 ? `, Sakoe-Chiba band of ${band} steps` : ''})`;
  }

  distance(a: Float32Array, b: Float32Array, shape: SampleShape): number {
    return dtwDistance(a, b, shape, this.band);
  }
}
