import { injectable } from 'inversify';
import type { Baseline } from './baseline.js';

/**
 * `pixel`: nearest neighbour by Euclidean distance on the decoded samples themselves, for any
 * modality (Lake et al.'s "pixel kNN" on Omniglot). Computed as the distance head of a model with a
 * flatten encoder, sqrt(max(sum (a - b)^2, 1e-12)), so the two rank pairs alike.
 */
@injectable()
export class PixelBaseline implements Baseline {
  readonly id = 'pixel';
  readonly description = 'nearest neighbour by Euclidean distance on the decoded input';
  readonly modalities: readonly string[] = [];

  /** Only the values matter: the shape of a sample is ignored. */
  distance(a: Float32Array, b: Float32Array): number {
    if (a.length !== b.length) throw new RangeError(`pixel distance: samples of ${a.length} and ${b.length} values`);
    let sum = 0;
    for (let i = 0; i < a.length; i++) {
      const d = a[i]! - b[i]!;
      sum += d * d;
    }
    return Math.sqrt(Math.max(sum, 1e-12));
  }
}
