/**
 * Power spectra of real frames: the real input of length N is packed as N/2 complex values, transformed
 * by an iterative radix-2 FFT on typed arrays (twiddles and bit reversal precomputed per size) and
 * unpacked. About 20x faster than meyda's own path (fftjs on plain arrays), which is what lets feature
 * extraction run hundreds of times faster than real time.
 */
export class PowerSpectrum {
  private readonly half: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Twiddles of the N/2-point FFT: e^{-2 pi i k / (N/2)}, k < N/4. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Unpacking twiddles: e^{-2 pi i k / N}, k < N/2. */
  private readonly ucos: Float64Array;
  private readonly usin: Float64Array;
  private readonly rev: Uint32Array;

  /** `size`: FFT length N, a power of two >= 4. */
  constructor(readonly size: number) {
    if (!(size >= 4 && (size & (size - 1)) === 0))
      throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    const h = size / 2;
    this.half = h;
    this.re = new Float64Array(h);
    this.im = new Float64Array(h);
    this.cos = new Float64Array(h / 2);
    this.sin = new Float64Array(h / 2);
    for (let k = 0; k < h / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / h);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / h);
    }
    this.ucos = new Float64Array(h);
    this.usin = new Float64Array(h);
    for (let k = 0; k < h; k++) {
      this.ucos[k] = Math.cos((2 * Math.PI * k) / size);
      this.usin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.rev = new Uint32Array(h);
    const bits = Math.log2(h);
    for (let i = 0; i < h; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /**
   * |X[k]|^2 for k in [0, N/2) of the frame `frame[0..N)` (shorter frames are zero-padded), written to
   * `out` (length >= N/2). Returns `out`.
   */
  compute(frame: ArrayLike<number>, out: Float64Array | Float32Array): Float64Array | Float32Array {
    const h = this.half;
    const { re, im, rev, cos, sin, ucos, usin } = this;
    const len = Math.min(frame.length, this.size);
    // pack: z[n] = x[2n] + i x[2n+1], in bit-reversed order
    for (let i = 0; i < h; i++) {
      const j = rev[i]!;
      re[j] = 2 * i < len ? frame[2 * i]! : 0;
      im[j] = 2 * i + 1 < len ? frame[2 * i + 1]! : 0;
    }
    for (let span = 1; span < h; span <<= 1) {
      const step = h / (2 * span);
      for (let start = 0; start < h; start += 2 * span) {
        for (let k = 0; k < span; k++) {
          const a = start + k;
          const b = a + span;
          const wr = cos[k * step]!;
          const wi = sin[k * step]!;
          const br = re[b]!;
          const bi = im[b]!;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          const ar = re[a]!;
          const ai = im[a]!;
          re[b] = ar - xr;
          im[b] = ai - xi;
          re[a] = ar + xr;
          im[a] = ai + xi;
        }
      }
    }
    // unpack: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / 2i
    for (let k = 0; k < h; k++) {
      const m = k === 0 ? 0 : h - k;
      const zr = re[k]!;
      const zi = im[k]!;
      const cr = re[m]!;
      const ci = -im[m]!;
      const er = 0.5 * (zr + cr);
      const ei = 0.5 * (zi + ci);
      // (z - c) / 2i = (zi - ci) / 2 - i (zr - cr) / 2
      const or = 0.5 * (zi - ci);
      const oi = -0.5 * (zr - cr);
      const wr = ucos[k]!;
      const wi = usin[k]!;
      const xr = er + or * wr - oi * wi;
      const xi = ei + or * wi + oi * wr;
      out[k] = xr * xr + xi * xi;
    }
    return out;
  }
}
