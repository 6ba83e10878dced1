/**
 * Filter gradient of a 2-D convolution (the `Conv2DBackpropFilter` kernel) expressed as ONE forward
 * convolution, so a backend with a fast forward conv (tfjs-backend-wasm: XNNPACK + SIMD) gets a fast
 * filter gradient without a dedicated kernel.
 *
 * Forward (NHWC, stride s, dilation d, padded input xp):
 *   y[b, oy, ox, co] = sum_{i, j, ci} xp[b, oy*s + i*d, ox*s + j*d, ci] * w[i, j, ci, co]
 * so
 *   dw[i, j, ci, co] = sum_{b, oy, ox} xp[b, i*d + oy*s, j*d + ox*s, ci] * dy[b, oy, ox, co].
 *
 * Read with batch and channels swapped this is a forward convolution of
 *   input  xT  = xp transposed to [inC, H, W, batch]   (conv "batch" = inC, conv "channels" = batch)
 *   filter dyT = dy transposed to [outH, outW, batch, outC]
 * with dilation = the forward stride s and stride = the forward dilation d ('valid'): its output is
 * [inC, fH, fW, outC], transposed back to the filter layout [fH, fW, inC, outC].
 * The forward padding becomes explicit padding of that convolution (cropped or extended so that
 * exactly the rows/columns the forward windows touched are used, which also covers dimRoundingMode
 * 'ceil' windows that hang over the padded input; those read zeros, as on the cpu backend).
 *
 * When fH*fW*inC is small (the first layer of an image net: 3x3x1), packing the big dy "filter" into
 * XNNPACK's GEMM layout dominates (~8 ns per element, ~50-100 ms for [128,28,28,64]). There an im2col
 * form is cheaper: the patches P = conv2d(x, one-hot filter [fH, fW, inC, K]) ([N, K], K = fH*fW*inC,
 * a cheap conv since K is small) and dW^T = dy^T [outC, N] . P [N, K]: one 2-D transpose of dy and a
 * GEMM whose packed operand is the small P.
 *
 * Only tfjs ops are used, so the function runs on any backend (the spec checks it on cpu too).
 */
import { tf } from '../tfjs.js';

/** Attributes of `Conv2DBackpropFilter`, plus an optional forward `dilations` (tfjs never passes it). */
export interface Conv2DBackpropFilterParams {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: number | [number, number];
  /** 'auto' (default): im2col when fH*fW*inC <= IM2COL_MAX_PATCH, else the batch/channel-swapped conv. */
  method?: 'auto' | 'conv' | 'im2col';
}

/** Largest patch size fH*fW*inC for which 'auto' uses the im2col form. */
export const IM2COL_MAX_PATCH = 32;

/** Converts an NCHW explicit padding ([[0,0],[0,0],[t,b],[l,r]]) to the NHWC layout; other pads unchanged. */
export function padToChannelsLast(
  pad: Conv2DBackpropFilterParams['pad'],
  dataFormat: 'NHWC' | 'NCHW' | undefined,
): Conv2DBackpropFilterParams['pad'] {
  if (dataFormat !== 'NCHW' || typeof pad !== 'object') return pad;
  return [[0, 0], pad[2], pad[3], [0, 0]];
}

/**
 * dW of `conv2d(x, w, strides, pad, 'NHWC', dilations)` given dy; returns a new tensor of shape
 * `filterShape`. NCHW inputs are transposed to NHWC first.
 */
export function conv2dBackpropFilterViaConv(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  params: Conv2DBackpropFilterParams,
): tf.Tensor4D {
  if (params.dataFormat === 'NCHW') {
    return tf.tidy(() =>
      conv2dBackpropFilterViaConv(tf.transpose(x, [0, 2, 3, 1]), tf.transpose(dy, [0, 2, 3, 1]), {
        ...params,
        pad: padToChannelsLast(params.pad, 'NCHW'),
        dataFormat: 'NHWC',
      }),
    );
  }
  const { filterShape } = params;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape,
    filterShape,
    params.strides,
    params.dilations ?? 1,
    params.pad,
    params.dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { filterHeight: fh, filterWidth: fw, padInfo } = info;
  const expectedDy = [batchSize, outHeight, outWidth, outChannels];
  if (dy.shape.some((v, i) => v !== expectedDy[i])) {
    throw new Error(
      `Conv2DBackpropFilter: dy shape [${dy.shape.join(',')}] does not match the forward output ` +
        `[${expectedDy.join(',')}] of x [${x.shape.join(',')}] and filter [${filterShape.join(',')}]`,
    );
  }
  if (inChannels !== filterShape[2]) {
    throw new Error(`Conv2DBackpropFilter: x has ${inChannels} channels but filterShape[2] is ${filterShape[2]}`);
  }

  // Extent of the padded input the forward windows touch (padded coordinates [0, need)).
  const needH = (fh - 1) * dh + (outHeight - 1) * sh + 1;
  const needW = (fw - 1) * dw + (outWidth - 1) * sw + 1;
  // Rows/cols of x actually used: x coordinates [0, keep).
  const keepH = Math.min(inHeight, needH - padInfo.top);
  const keepW = Math.min(inWidth, needW - padInfo.left);
  if (keepH <= 0 || keepW <= 0 || batchSize === 0) return tf.zeros(filterShape);

  const patch = fh * fw * inChannels;
  const bothStrideAndDilation = (sh > 1 || sw > 1) && (dh > 1 || dw > 1);
  const useIm2col =
    params.method === 'im2col' ||
    ((params.method ?? 'auto') === 'auto' && patch <= IM2COL_MAX_PATCH && !bothStrideAndDilation);

  return tf.tidy(() => {
    let xs: tf.Tensor4D = x;
    if (keepH < inHeight || keepW < inWidth) xs = tf.slice(x, [0, 0, 0, 0], [-1, keepH, keepW, -1]);
    // Explicit padding reproducing exactly the forward windows (also for 'same' and rounding modes).
    const pads: tf.backend_util.ExplicitPadding = [
      [0, 0],
      [padInfo.top, needH - padInfo.top - keepH],
      [padInfo.left, needW - padInfo.left - keepW],
      [0, 0],
    ];
    if (useIm2col) {
      // One-hot filter: output channel k = (i*fW + j)*inC + c copies input channel c at tap (i, j).
      const eye = tf.reshape(tf.eye(patch), [fh, fw, inChannels, patch]) as tf.Tensor4D;
      let patches: tf.Tensor4D;
      if (bothStrideAndDilation) {
        const full = tf.conv2d(xs, eye, 1, pads, 'NHWC', [dh, dw]);
        patches = tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [1, sh, sw, 1]) as tf.Tensor4D;
      } else {
        patches = tf.conv2d(xs, eye, [sh, sw], pads, 'NHWC', [dh, dw]); // [batch, outH, outW, K]
      }
      const n = batchSize * outHeight * outWidth;
      const dyT = tf.transpose(tf.reshape(dy, [n, outChannels])); // [outC, N]
      const dwT = tf.matMul(dyT, tf.reshape(patches, [n, patch])); // [outC, K]
      return tf.reshape(tf.transpose(dwT), filterShape) as tf.Tensor4D;
    }
    const xT = tf.transpose(xs, [3, 1, 2, 0]); // [inC, keepH, keepW, batch]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [outH, outW, batch, outC]
    // Swapped roles: the conv's stride is the forward dilation, its dilation the forward stride.
    const convStrides: [number, number] = [dh, dw];
    const convDilations: [number, number] = [outHeight > 1 ? sh : 1, outWidth > 1 ? sw : 1];
    let r: tf.Tensor4D;
    if (convStrides.every((v) => v === 1) || convDilations.every((v) => v === 1)) {
      r = tf.conv2d(xT, dyT, convStrides, pads, 'NHWC', convDilations);
    } else {
      // The conv2d op refuses stride > 1 together with dilation > 1: run dilation only, then subsample.
      const full = tf.conv2d(xT, dyT, 1, pads, 'NHWC', convDilations); // [inC, (fh-1)*dh+1, (fw-1)*dw+1, outC]
      r = tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [1, dh, dw, 1]) as tf.Tensor4D;
    }
    return tf.transpose(r, [1, 2, 0, 3]); // [fH, fW, inC, outC]
  });
}
