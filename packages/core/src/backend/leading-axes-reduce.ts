/**
 * Sum / mean over LEADING axes (e.g. axes [0, 1, 2] of an NHWC tensor: per-channel statistics, the
 * batchNorm and bias gradients). tfjs-backend-wasm 4.22 first transposes the reduced axes to the end
 * (a cache-hostile copy: ~50 ms for [128,28,28,64]); viewing the input as [outer, inner] and adding
 * rows into a float64 accumulator is one sequential pass (the cpu backend also sums in float64, in the
 * same order, so results match it bit for bit for sums).
 */

/** The reduced axes (normalised, sorted) as a count k when they are exactly [0, 1, ..., k-1]; else -1. */
export function leadingAxesCount(axes: readonly number[], rank: number): number {
  const sorted = [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (sorted.length === 0) return -1;
  for (let i = 0; i < sorted.length; i++) if (sorted[i] !== i) return -1;
  return sorted.length;
}

/**
 * dst[j] = (sum_{o < outer} src[o * inner + j]) / divisor for j < inner, accumulated in float64.
 * `divisor` is 1 for a sum and `outer` for a mean.
 */
export function reduceLeading(
  src: Float32Array,
  outer: number,
  inner: number,
  dst: Float32Array,
  divisor: number,
): void {
  if (inner === 1) {
    let s = 0;
    for (let o = 0; o < outer; o++) s += src[o]!;
    dst[0] = s / divisor;
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0, base = 0; o < outer; o++, base += inner) {
    for (let j = 0; j < inner; j++) acc[j] += src[base + j]!;
  }
  for (let j = 0; j < inner; j++) dst[j] = acc[j]! / divisor;
}
