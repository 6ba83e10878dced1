import { ConfigError, type Baseline, type SampleShape } from '@fewshot/core/plugin';

/**
 * Pixel nearest neighbour on the last frame of each clip: Euclidean distance between the last HxWxC
 * values of two decoded [time, height, width, channels] clips (with `sampling: uniform` the last sampled frame is the
 * clip's last frame: for a drawing video, the finished character).
 */
export class LastFramePixelBaseline implements Baseline {
  readonly id = 'last-frame-pixel';
  readonly description = 'nearest neighbour by Euclidean distance on the last frame of each clip (pixels)';
  readonly modalities = ['video'];

  distance(a: Float32Array, b: Float32Array, shape: SampleShape): number {
    if (shape.dims.length !== 4 || shape.names[0] !== 'time') {
      throw new ConfigError(
        `the last-frame-pixel baseline works on [time, height, width, channels] clips, but the samples are ${shape.dims.join('x')} (${shape.names.join(', ')})`,
      );
    }
    const [, h, w, c] = shape.dims as [number, number, number, number];
    const frame = h * w * c;
    if (a.length !== b.length || a.length < frame)
      throw new RangeError(
        `last-frame-pixel: rows of ${a.length} and ${b.length} values do not hold a ${h}x${w}x${c} frame`,
      );
    let sum = 0;
    for (let i = a.length - frame; i < a.length; i++) {
      const d = a[i]! - b[i]!;
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
}
