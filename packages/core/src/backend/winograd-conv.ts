/**
 * An inference-only 3x3 convolution for the wasm backend: Winograd F(2x2, 3x3) in fewshot's SIMD
 * module (`winograd_conv3x3` in kernels/fewshot-kernels.c), 16 multiplies per 2x2 output tile and
 * channel pair where a direct convolution needs 36. It is a kernel of its own name
 * (`FewshotWinogradConv3x3`), called only by code that asks for it (the evaluation's inference plan),
 * so training and every tfjs op keep their kernels. Rounding differs from XNNPACK's direct
 * convolution by a few float32 units in the last place.
 */
import { tf } from '../tfjs-core.js';
import { simdKernelsFor } from './simd-kernels.js';

export const WINOGRAD_KERNEL_NAME = 'FewshotWinogradConv3x3';

/** Tiles per block in the C kernel (WINO_TILES): its scratch is 16 x this x (cin + cout) floats. */
const TILES = 32;

/** Whether a conv of `cin` -> `cout` channels fits the kernel (3x3, stride 1, 'same' is the caller's part). */
export function winogradFits(cin: number, cout: number): boolean {
  return cin > 0 && cout > 0 && cin % 4 === 0 && cout % 8 === 0;
}

/**
 * The filter (HWIO, 3 x 3 x cin x cout) in the Winograd domain, U = G g G^T, laid out as
 * [16][cin][cout] (position i * 4 + j of the 4x4 tile, then input channel, then output channel).
 */
export function winogradFilter(filter: Float32Array, cin: number, cout: number): Float32Array {
  if (filter.length !== 9 * cin * cout)
    throw new RangeError(
      `winogradFilter: a 3x3x${cin}x${cout} filter has ${9 * cin * cout} values, got ${filter.length}`,
    );
  const u = new Float32Array(16 * cin * cout);
  const g = new Float64Array(9);
  const t = new Float64Array(12);
  for (let ci = 0; ci < cin; ci++) {
    for (let co = 0; co < cout; co++) {
      for (let k = 0; k < 9; k++) g[k] = filter[k * cin * cout + ci * cout + co]!;
      // t = G g (4 x 3), G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1]
      for (let c = 0; c < 3; c++) {
        const g0 = g[c]!,
          g1 = g[3 + c]!,
          g2 = g[6 + c]!;
        t[c] = g0;
        t[3 + c] = (g0 + g1 + g2) / 2;
        t[6 + c] = (g0 - g1 + g2) / 2;
        t[9 + c] = g2;
      }
      // U = t G^T (4 x 4)
      for (let r = 0; r < 4; r++) {
        const t0 = t[r * 3]!,
          t1 = t[r * 3 + 1]!,
          t2 = t[r * 3 + 2]!;
        const row = [t0, (t0 + t1 + t2) / 2, (t0 - t1 + t2) / 2, t2];
        for (let c = 0; c < 4; c++) u[((r * 4 + c) * cin + ci) * cout + co] = row[c]!;
      }
    }
  }
  return u;
}

/** Whether the Winograd kernel can run now: the current backend is wasm and fewshot's SIMD module loads there. */
export function winogradAvailable(): boolean {
  return tf.getBackend() === 'wasm' && simdKernelsFor(tf.backend()) !== null;
}

/**
 * relu?(conv3x3(x, g) + bias) with stride 1 and 'same' padding, for x [n, h, w, cin] (float32, NHWC),
 * `u` = winogradFilter(g) as a tensor and `bias` [cout]; with `pool`, followed by 2x2 max-pooling
 * (stride 2, 'valid'), done in the same pass: [n, floor(h / 2), floor(w / 2), cout]. Needs
 * `winogradAvailable()` and `registerWinogradConv()`.
 */
export function winogradConv3x3(
  x: tf.Tensor4D,
  u: tf.Tensor,
  bias: tf.Tensor1D,
  relu: boolean,
  pool = false,
): tf.Tensor4D {
  const inputs = { x, u, bias } as unknown as tf.NamedTensorMap;
  return tf
    .engine()
    .runKernel(WINOGRAD_KERNEL_NAME, inputs, { relu, pool } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
}

const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error(`${WINOGRAD_KERNEL_NAME}: fewshot's SIMD kernels are not loaded on this backend`);
  const { x, u, bias } = inputs as { x: tf.TensorInfo; u: tf.TensorInfo; bias: tf.TensorInfo };
  const [n, h, w, cin] = x.shape as [number, number, number, number];
  const cout = bias.shape[0]!;
  if (x.shape.length !== 4 || !winogradFits(cin, cout) || u.shape.length !== 1 || u.shape[0] !== 16 * cin * cout)
    throw new RangeError(`${WINOGRAD_KERNEL_NAME}: bad shapes x [${x.shape.join(', ')}], u [${u.shape.join(', ')}]`);
  const heap = backend as unknown as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo };
  const { relu, pool } = attrs as { relu?: boolean; pool?: boolean };
  const [oh, ow] = pool ? [Math.floor(h / 2), Math.floor(w / 2)] : [h, w];
  const out = heap.makeOutput([n, oh, ow, cout], 'float32');
  if (n * oh * ow === 0) return out;
  simd.withScratch(4 * 16 * TILES * (cin + cout), (scratch) =>
    simd.exports.winograd_conv3x3(
      simd.offset(x),
      simd.offset(u),
      simd.offset(bias),
      simd.offset(out),
      scratch,
      n,
      h,
      w,
      cin,
      cout,
      relu ? 1 : 0,
      pool ? 1 : 0,
    ),
  );
  return out;
};

/** Registers the kernel for the wasm backend (idempotent). */
export function registerWinogradConv(): void {
  if (!tf.getKernel(WINOGRAD_KERNEL_NAME, 'wasm'))
    tf.registerKernel({ kernelName: WINOGRAD_KERNEL_NAME, backendName: 'wasm', kernelFunc });
}
