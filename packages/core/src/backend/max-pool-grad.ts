/**
 * Gradient of a 2-D max pool (the `MaxPoolGrad` kernel) with the cpu backend's tie rule.
 *
 * The cpu backend routes each window's gradient to ONE position: the first maximum in row-major window
 * order (it scans rows, then columns, and keeps a candidate only when `value > best`, so later equal
 * values lose; windows of only NaN / -Infinity get no gradient). tfjs-backend-wasm's own MaxPoolGrad
 * (4.22) picks the LAST maximum instead, which differs on tied inputs such as binary (0/1) images, and
 * is ~20x slower than the forward pool. Overlapping windows accumulate.
 *
 * This is a single pass over the input, directly on typed arrays (for wasm: views of the wasm heap),
 * with the channel loop innermost so every access is contiguous: O(batch * outH * outW * fH * fW * C).
 * It handles every configuration `computePool2DInfo` produces (any filter / stride, 'same', 'valid',
 * numeric and explicit pads, dimRoundingMode), so no element-wise fast path is needed.
 */
import type * as tf from '@tensorflow/tfjs';

type NumericArray = Float32Array | Int32Array | Uint8Array;

/**
 * Accumulates the max-pool gradient into `dx` (which must be zero-filled, NHWC, size of the input).
 * `x` is the forward input (NHWC), `dy` the output gradient ([batch, outH, outW, C]), `info` the
 * result of `backend_util.computePool2DInfo` for the forward pool.
 */
export function maxPoolGradFirstMax(
  x: NumericArray,
  dy: NumericArray,
  dx: Float32Array,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { effectiveFilterHeight, effectiveFilterWidth, padInfo } = info;
  const best = new Float64Array(c);
  const arg = new Int32Array(c);
  const rowStride = inWidth * c;
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * rowStride;
    for (let oy = 0; oy < outHeight; oy++) {
      const rCorner = oy * strideHeight - padInfo.top;
      let rMin = rCorner;
      while (rMin < 0) rMin += dilationHeight;
      const rMax = Math.min(inHeight, rCorner + effectiveFilterHeight);
      for (let ox = 0; ox < outWidth; ox++) {
        const cCorner = ox * strideWidth - padInfo.left;
        let cMin = cCorner;
        while (cMin < 0) cMin += dilationWidth;
        const cMax = Math.min(inWidth, cCorner + effectiveFilterWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        arg.fill(-1);
        for (let r = rMin; r < rMax; r += dilationHeight) {
          for (let col = cMin; col < cMax; col += dilationWidth) {
            const base = xBatch + r * rowStride + col * c;
            for (let ch = 0; ch < c; ch++) {
              const v = x[base + ch];
              if (v > best[ch]) {
                best[ch] = v;
                arg[ch] = base + ch;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          const at = arg[ch];
          if (at >= 0) dx[at] = dx[at] + dy[dyBase + ch];
        }
      }
    }
  }
}
