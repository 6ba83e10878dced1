/**
 * Resampling weights along one axis, in compressed rows: output `o` is
 * `sum(weight[k] * input[index[k]])` for `k` in `[start[o], start[o + 1])`.
 */
export interface ResampleWeights {
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float64Array;
}

const cache = new Map<string, ResampleWeights>();

/**
 * Weights that map `inSize` samples to `outSize`: an exact area average (box filter) when shrinking,
 * so each output is the coverage-weighted mean of the inputs under it (105 -> 28: 3.75 inputs per
 * output), bilinear with pixel-centre alignment when enlarging, the identity when equal.
 */
export function resampleWeights(inSize: number, outSize: number): ResampleWeights {
  const key = `${inSize}:${outSize}`;
  let w = cache.get(key);
  if (!w) {
    w = outSize < inSize ? areaWeights(inSize, outSize) : bilinearWeights(inSize, outSize);
    cache.set(key, w);
  }
  return w;
}

function areaWeights(inSize: number, outSize: number): ResampleWeights {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outSize; o++) {
    start[o] = index.length;
    const x0 = o * scale;
    const x1 = o === outSize - 1 ? inSize : (o + 1) * scale;
    const first = Math.floor(x0);
    const last = Math.min(inSize, Math.ceil(x1));
    let sum = 0;
    const from = weight.length;
    for (let i = first; i < last; i++) {
      const cover = Math.min(i + 1, x1) - Math.max(i, x0);
      if (cover <= 1e-9) continue;
      index.push(i);
      weight.push(cover);
      sum += cover;
    }
    for (let k = from; k < weight.length; k++) weight[k] = (weight[k] as number) / sum;
  }
  start[outSize] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

function bilinearWeights(inSize: number, outSize: number): ResampleWeights {
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < outSize; o++) {
    start[o] = index.length;
    const src = Math.min(Math.max((o + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
    const i0 = Math.floor(src);
    const f = src - i0;
    index.push(i0);
    weight.push(1 - f);
    if (f > 0) {
      index.push(i0 + 1);
      weight.push(f);
    }
  }
  start[outSize] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * Resize a row-major HWC image, separably (rows, then columns): area averaging where an axis
 * shrinks, bilinear where it grows. Returns the input itself when the size is unchanged.
 */
export function resizeArea(
  src: Float32Array,
  srcH: number,
  srcW: number,
  channels: number,
  dstH: number,
  dstW: number,
): Float32Array {
  if (src.length !== srcH * srcW * channels) {
    throw new RangeError(`resizeArea: ${src.length} values do not make ${srcH}x${srcW}x${channels}`);
  }
  if (srcH === dstH && srcW === dstW) return src;
  // Horizontal pass: srcH x dstW.
  const mid = srcW === dstW ? src : resizeRows(src, srcH, srcW, channels, dstW);
  if (srcH === dstH) return mid;
  // Vertical pass: dstH x dstW, whole rows at a time.
  const { start, index, weight } = resampleWeights(srcH, dstH);
  const rowLen = dstW * channels;
  const out = new Float32Array(dstH * rowLen);
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < dstH; y++) {
    acc.fill(0);
    for (let k = start[y] as number, e = start[y + 1] as number; k < e; k++) {
      const w = weight[k] as number;
      const inRow = (index[k] as number) * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j] = (acc[j] as number) + w * (mid[inRow + j] as number);
    }
    out.set(acc, y * rowLen);
  }
  return out;
}

function resizeRows(src: Float32Array, height: number, srcW: number, channels: number, dstW: number): Float32Array {
  const { start, index, weight } = resampleWeights(srcW, dstW);
  const out = new Float32Array(height * dstW * channels);
  for (let y = 0; y < height; y++) {
    const inRow = y * srcW * channels;
    const outRow = y * dstW * channels;
    for (let x = 0; x < dstW; x++) {
      const k0 = start[x] as number;
      const k1 = start[x + 1] as number;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = k0; k < k1; k++)
          acc += (weight[k] as number) * (src[inRow + (index[k] as number) * channels + c] as number);
        out[outRow + x * channels + c] = acc;
      }
    }
  }
  return out;
}
