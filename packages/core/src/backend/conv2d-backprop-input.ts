/**
 * Input gradient of a 2-D convolution (the `Conv2DBackpropInput` kernel, also the forward of
 * conv2dTranspose) expressed as ONE forward convolution, so a backend with a fast forward conv
 * (tfjs-backend-wasm: XNNPACK + SIMD) gets a fast input gradient.
 *
 * Forward (per spatial axis; stride s, dilation d, effective filter E = (f-1)*d+1, top padding t):
 *   y[o] = sum_k x[o*s - t + k*d] * w[k]
 * so
 *   dx[h] = sum_k dy[(h + t - k*d) / s] * w[k]      (terms with a non-integer or out-of-range index vanish)
 * which is a stride-1 convolution, with dilation d, of
 *   - dy "stride-dilated" (s-1 zeros inserted between consecutive elements, length (outH-1)*s+1),
 *     padded with E-1-t rows on top and H+t-(outH-1)*s-1 rows at the bottom (negative = crop), by
 *   - the filter flipped spatially with in/out channels swapped: [fH, fW, outC, inC].
 * The output then has exactly inputShape's height/width for every padding mode ('same' with odd/even
 * sizes, 'valid' with unused trailing rows, numeric and explicit pads, any dimRoundingMode).
 *
 * Only tfjs ops are used, so the function runs on any backend (the spec checks it on cpu too).
 */
import { tf } from '../tfjs.js';
import { padToChannelsLast } from './conv2d-backprop-filter.js';

/** Attributes of `Conv2DBackpropInput`, plus an optional forward `dilations` (tfjs never passes it). */
export interface Conv2DBackpropInputParams {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
  dilations?: number | [number, number];
}

/**
 * Inserts `sh-1` / `sw-1` zeros after every element along H / W of an NHWC tensor (also after the last
 * one): [b, h, w, c] -> [b, h*sh, w*sw, c]. Broadcast multiply by a one-hot [sh, sw] pattern, which is
 * a single fast element-wise op on wasm (unlike tile / scatter).
 */
export function insertStrideZeros(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = t.shape;
    const pattern = new Float32Array(sh * sw);
    pattern[0] = 1;
    const onehot = tf.tensor(pattern, [1, 1, sh, 1, sw, 1]);
    const spread = tf.mul(tf.reshape(t, [b, h, 1, w, 1, c]), onehot);
    return tf.reshape(spread, [b, h * sh, w * sw, c]) as tf.Tensor4D;
  });
}

/**
 * dx of `conv2d(x, filter, strides, pad, 'NHWC', dilations)` given dy; returns a new tensor of shape
 * `inputShape`. NCHW is handled by transposing to NHWC and back.
 */
export function conv2dBackpropInputViaConv(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  params: Conv2DBackpropInputParams,
): tf.Tensor4D {
  if (params.dataFormat === 'NCHW') {
    const [b, c, h, w] = params.inputShape;
    return tf.tidy(() =>
      tf.transpose(
        conv2dBackpropInputViaConv(tf.transpose(dy, [0, 2, 3, 1]), filter, {
          ...params,
          inputShape: [b, h, w, c],
          pad: padToChannelsLast(params.pad, 'NCHW'),
          dataFormat: 'NHWC',
        }),
        [0, 3, 1, 2],
      ),
    );
  }
  const { inputShape } = params;
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape,
    params.strides,
    params.dilations ?? 1,
    params.pad,
    params.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, outHeight, outWidth, outChannels, padInfo } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const { effectiveFilterHeight: eh, effectiveFilterWidth: ew } = info;
  const expectedDy = [batchSize, outHeight, outWidth, outChannels];
  if (dy.shape.some((v, i) => v !== expectedDy[i])) {
    throw new Error(
      `Conv2DBackpropInput: dy shape [${dy.shape.join(',')}] does not match the forward output ` +
        `[${expectedDy.join(',')}] of input [${inputShape.join(',')}] and filter [${filter.shape.join(',')}]`,
    );
  }
  // A stride only matters along an axis with more than one output.
  const sh = outHeight > 1 ? info.strideHeight : 1;
  const sw = outWidth > 1 ? info.strideWidth : 1;
  // Padding of the stride-dilated dy, whose length is (out-1)*s+1 (+ s-1 trailing zeros, see below).
  const padTop = eh - 1 - padInfo.top;
  const padLeft = ew - 1 - padInfo.left;
  const padBottom = inHeight + padInfo.top - (outHeight - 1) * sh - 1 - (sh - 1);
  const padRight = inWidth + padInfo.left - (outWidth - 1) * sw - 1 - (sw - 1);
  const rows = outHeight * sh; // rows of the stride-dilated dy, including its s-1 trailing zero rows
  const cols = outWidth * sw;
  const keptRows = rows + Math.min(0, padTop) + Math.min(0, padBottom);
  const keptCols = cols + Math.min(0, padLeft) + Math.min(0, padRight);
  if (keptRows <= 0 || keptCols <= 0 || batchSize === 0) return tf.zeros(inputShape);

  return tf.tidy(() => {
    let d = sh > 1 || sw > 1 ? insertStrideZeros(dy, sh, sw) : dy;
    if (keptRows < rows || keptCols < cols) {
      d = tf.slice(d, [0, Math.max(0, -padTop), Math.max(0, -padLeft), 0], [-1, keptRows, keptCols, -1]);
    }
    // [fH, fW, inC, outC] -> flipped spatially, channels swapped: [fH, fW, outC, inC].
    const w = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]);
    const pads: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [Math.max(0, padTop), Math.max(0, padBottom)],
      [Math.max(0, padLeft), Math.max(0, padRight)],
      [0, 0],
    ];
    return tf.conv2d(d, w as tf.Tensor4D, 1, pads, 'NHWC', [dh, dw]);
  });
}
