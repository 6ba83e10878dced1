/**
 * An inference-only first layer for the wasm backend: 3x3 convolution of a one-channel input (stride 1,
 * 'same'), bias, optional ReLU and 2x2 max-pooling (stride 2, 'valid') in one pass of fewshot's SIMD
 * module (`conv3x3_c1_maxpool2` in kernels/fewshot-kernels.c), instead of XNNPACK's convolution (poor
 * at one input channel) and a separate pooling pass over the full-size map. It sums each output as
 * XNNPACK does, so it gives tfjs-backend-wasm's fused conv2d + maxPool bit for bit. A kernel of its
 * own name (`FewshotConv3x3C1MaxPool2`), called only by the evaluation's inference plan.
 */
import { tf } from '../tfjs-core.js';
import { simdKernelsFor } from './simd-kernels.js';

export const CONV1_MAX_POOL_KERNEL_NAME = 'FewshotConv3x3C1MaxPool2';

/** Whether the kernel can run now: the current backend is wasm and fewshot's SIMD module loads there. */
export function conv1MaxPoolAvailable(): boolean {
  return tf.getBackend() === 'wasm' && simdKernelsFor(tf.backend()) !== null;
}

/**
 * maxPool2x2(relu?(conv3x3(x, filter, 'same') + bias)) for x [n, h, w, 1], filter [3, 3, 1, cout]
 * (cout a multiple of 4), bias [cout]: [n, floor(h / 2), floor(w / 2), cout]. Needs
 * `conv1MaxPoolAvailable()` and `registerConv1MaxPool()`.
 */
export function conv1MaxPool(x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D, relu: boolean): tf.Tensor4D {
  const inputs = { x, filter, bias } as unknown as tf.NamedTensorMap;
  return tf
    .engine()
    .runKernel(CONV1_MAX_POOL_KERNEL_NAME, inputs, { relu } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error(`${CONV1_MAX_POOL_KERNEL_NAME}: fewshot's SIMD kernels are not loaded on this backend`);
  const { x, filter, bias } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo; bias: tf.TensorInfo };
  const [n, h, w, cin] = x.shape as [number, number, number, number];
  const cout = bias.shape[0]!;
  const f = filter.shape;
  if (x.shape.length !== 4 || cin !== 1 || f.join() !== `3,3,1,${cout}` || cout % 4 !== 0)
    throw new RangeError(
      `${CONV1_MAX_POOL_KERNEL_NAME}: bad shapes x [${x.shape.join(', ')}], filter [${f.join(', ')}], bias [${cout}]`,
    );
  const heap = backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo };
  const out = heap.makeOutput([n, Math.floor(h / 2), Math.floor(w / 2), cout], 'float32');
  if (n * Math.floor(h / 2) * Math.floor(w / 2) === 0) return out;
  simd.exports.conv3x3_c1_maxpool2(
    simd.offset(x),
    simd.offset(filter),
    simd.offset(bias),
    simd.offset(out),
    n,
    h,
    w,
    cout,
    (attrs as { relu?: boolean }).relu ? 1 : 0,
  );
  return out;
};

/** Registers the kernel for the wasm backend (idempotent). */
export function registerConv1MaxPool(): void {
  if (!tf.getKernel(CONV1_MAX_POOL_KERNEL_NAME, 'wasm'))
    tf.registerKernel({ kernelName: CONV1_MAX_POOL_KERNEL_NAME, backendName: 'wasm', kernelFunc });
}
