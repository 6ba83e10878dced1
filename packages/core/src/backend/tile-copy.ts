/**
 * `tile` as block copies. tfjs-backend-wasm 4.22 tiles element by element (~0.4 s to expand a [1,1,1,64]
 * vector to [128,28,28,64], which the batchNorm gradient does for every layer); copying the innermost
 * run once and then doubling already-written blocks with `copyWithin` is memory-bound (a few ms).
 */

type AnyArray = Float32Array | Int32Array | Uint8Array;

function rowMajorStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) strides[d] = strides[d + 1]! * shape[d + 1]!;
  return strides;
}

/** Repeats dst[at, at+len) `times` times in place: dst[at, at+len*times). */
function repeatBlock(dst: AnyArray, at: number, len: number, times: number): void {
  const total = len * times;
  if (total <= 32) {
    for (let k = len; k < total; k++) dst[at + k] = dst[at + k - len]!;
    return;
  }
  let filled = len;
  while (filled < total) {
    const n = Math.min(filled, total - filled);
    dst.copyWithin(at + filled, at, at + n);
    filled += n;
  }
}

/**
 * Writes `tile(src, reps)` into `dst` (same element type; dst has
 * prod(shape[i] * reps[i]) elements). Row-major, any rank (rank 0: a copy).
 */
export function tileInto(src: AnyArray, shape: readonly number[], reps: readonly number[], dst: AnyArray): void {
  const rank = shape.length;
  if (rank === 0) {
    if (dst.length > 0) dst[0] = src[0]!;
    return;
  }
  const outShape = shape.map((s, i) => s * reps[i]!);
  if (outShape.some((s) => s === 0)) return;
  const srcStrides = rowMajorStrides(shape);
  const outStrides = rowMajorStrides(outShape);
  const last = rank - 1;
  const fill = (d: number, s: number, o: number): void => {
    if (d === last) {
      const n = shape[last]!;
      if (n < 16) for (let k = 0; k < n; k++) dst[o + k] = src[s + k]!;
      else dst.set(src.subarray(s, s + n), o);
    } else {
      for (let i = 0; i < shape[d]!; i++) fill(d + 1, s + i * srcStrides[d]!, o + i * outStrides[d]!);
    }
    // The first repetition along d is complete: replicate it.
    if (reps[d]! > 1) repeatBlock(dst, o, shape[d]! * outStrides[d]!, reps[d]!);
  };
  fill(0, 0, 0);
}
