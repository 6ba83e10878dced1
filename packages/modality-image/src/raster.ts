/**
 * A decoded image in memory: row-major HWC floats in [0, 1] with white = 1, any transparency already
 * composited onto white.
 */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Float32Array;
}

/** Luma weights (ITU-R BT.601) used to turn RGB into grey. */
export const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Writes pixels into a raster of 1 or 3 channels, compositing each onto white:
 * `c' = a * c + (1 - a)`, grey from RGB by luma.
 */
export class RasterWriter {
  readonly data: Float32Array;
  constructor(
    readonly width: number,
    readonly height: number,
    readonly channels: 1 | 3,
  ) {
    this.data = new Float32Array(width * height * channels);
  }

  /** Pixel `i` (row-major index) from a grey value and alpha, all in [0, 1]. */
  grey(i: number, g: number, a: number): void {
    const v = a === 1 ? g : a * g + 1 - a;
    if (this.channels === 1) {
      this.data[i] = v;
    } else {
      const o = i * 3;
      this.data[o] = v;
      this.data[o + 1] = v;
      this.data[o + 2] = v;
    }
  }

  /** Pixel `i` (row-major index) from RGB and alpha, all in [0, 1]. */
  rgb(i: number, r: number, g: number, b: number, a: number): void {
    if (a !== 1) {
      r = a * r + 1 - a;
      g = a * g + 1 - a;
      b = a * b + 1 - a;
    }
    if (this.channels === 1) {
      this.data[i] = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
    } else {
      const o = i * 3;
      this.data[o] = r;
      this.data[o + 1] = g;
      this.data[o + 2] = b;
    }
  }

  done(): Raster {
    return { width: this.width, height: this.height, channels: this.channels, data: this.data };
  }
}
