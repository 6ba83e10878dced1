import { ConfigError } from './errors.js';
import { describeShape, type SampleShape } from './modality.js';

/**
 * Dynamic time warping distance between two decoded samples of `shape`, over its `time` axis (the
 * first): every other axis of one time step forms that frame's vector (audio MFCCs: all coefficients and
 * channels; time series: all channels). Euclidean frame distances and the symmetric step pattern of
 * Sakoe & Chiba (1978): horizontal and vertical steps cost d, diagonal steps 2d, normalised by n + m, so
 * the result is symmetric in a and b and comparable across lengths. `band` > 0 restricts the path to
 * |i - j * n/m| <= band frames (Sakoe-Chiba band); 0 leaves it free. Throws ConfigError for a shape
 * whose first axis is not `time`.
 */
export function dtwDistance(a: Float32Array, b: Float32Array, shape: SampleShape, band = 0): number {
  if (shape.names[0] !== 'time') {
    throw new ConfigError(
      `dynamic time warping needs samples whose first axis is 'time', but they are ${describeShape(shape)}`,
      {
        hints: ['use a DTW baseline with a modality of sequences (audio, timeseries)'],
      },
    );
  }
  const frame = shape.dims.slice(1).reduce((x, y) => x * y, 1);
  return dtwFrames(a, b, frame, band);
}

/**
 * {@link dtwDistance} on two sequences of `dim`-dimensional frames (`a`: n frames, `b`: m frames,
 * row-major; n and m may differ). Two rolling rows of float64, no allocation per cell.
 */
export function dtwFrames(a: Float32Array, b: Float32Array, dim: number, band = 0): number {
  const n = a.length / dim;
  const m = b.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(m) || n === 0 || m === 0)
    throw new RangeError(
      `dtwDistance: sequences of ${a.length} and ${b.length} values are not whole numbers of ${dim}-d frames`,
    );
  let prev = new Float64Array(m + 1).fill(Infinity);
  let cur = new Float64Array(m + 1).fill(Infinity);
  prev[0] = 0;
  const slope = m / n;
  const r = band > 0 ? Math.max(band, Math.abs(n - m)) : Infinity;
  for (let i = 1; i <= n; i++) {
    cur.fill(Infinity);
    const centre = i * slope;
    const lo = Math.max(1, Math.floor(centre - r));
    const hi = Math.min(m, Math.ceil(centre + r));
    const ai = (i - 1) * dim;
    for (let j = lo; j <= hi; j++) {
      const bj = (j - 1) * dim;
      let ss = 0;
      for (let k = 0; k < dim; k++) {
        const d = a[ai + k]! - b[bj + k]!;
        ss += d * d;
      }
      const d = Math.sqrt(ss);
      const diag = prev[j - 1]! + 2 * d;
      const up = prev[j]! + d;
      const left = cur[j - 1]! + d;
      cur[j] = diag < up ? (diag < left ? diag : left) : up < left ? up : left;
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m]! / (n + m);
}
