import { injectable } from 'inversify';
import type { Baseline } from '@fewshot/core';

/**
 * Pixel nearest neighbour on the last frame of each clip: Euclidean distance between the last SxSxC
 * values of two decoded [T*S, S, C] clips (with `sampling: uniform` the last sampled frame is the
 * clip's last frame: for a drawing video, the finished character).
 */
@injectable()
export class LastFramePixelBaseline implements Baseline {
  readonly id = 'last-frame-pixel';
  readonly description = 'nearest neighbour by Euclidean distance on the last frame of each clip (pixels)';
  readonly modalities = ['video'];

  distance(a: Float32Array, b: Float32Array, shape: readonly [number, number, number]): number {
    const [, w, c] = shape;
    const frame = w * w * c;
    if (a.length !== b.length || a.length < frame) throw new RangeError(`last-frame-pixel: rows of ${a.length} and ${b.length} values do not hold a ${w}x${w}x${c} frame`);
    let sum = 0;
    for (let i = a.length - frame; i < a.length; i++) {
      const d = a[i]! - b[i]!;
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
}
