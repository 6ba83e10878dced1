/**
 * The FusedBatchNorm gradient without full-size temporaries, for the wasm backend.
 *
 * tfjs's gradient (tfjs-core FusedBatchNorm_grad) builds x - mean, dy * scale, a tiled rsqrt and several
 * products of them at full size before reducing them per channel: ~10 full-size tensors per batch-norm
 * layer, ~20% of a Conv-4 training step on wasm. With r = 1 / sqrt(variance + eps) per channel, the same
 * derivatives are
 *   dx = dy * (r * scale)                      (one per-channel scale pass: FewshotChannelScale)
 *   dmean = -r * scale * sum(dy)               (a leading-axis sum)
 *   dvariance = -0.5 * r^3 * scale * S,  dscale = r * S,  S = sum((x - mean) * dy)   (FewshotCenteredDot)
 *   doffset = sum(dy)
 * so each derivative costs at most one pass over the full-size tensors, and nothing full-size is kept.
 *
 * tfjs registers gradients per kernel name for every backend, so the replacement is registered globally
 * but dispatches at call time: on the wasm backend with fewshot's SIMD kernels, for per-channel
 * (last-axis) float32 parameters, it takes the route above; everywhere else (cpu, tensorflow, other
 * shapes) it calls tfjs's own gradient unchanged.
 */
import { tf } from '../tfjs.js';
import { simdKernelsFor, type SimdKernels } from './simd-kernels.js';

export const CENTERED_DOT_KERNEL = 'FewshotCenteredDot';
export const CHANNEL_SCALE_KERNEL = 'FewshotChannelScale';

/** Marks our gradient config (global symbol, as for the kernels). */
const MARK = Symbol.for('@fewshot/core:wasm-batch-norm-grad');

interface MarkedGradConfig extends tf.GradConfig {
  [MARK]?: { original: tf.GradConfig | undefined };
}

interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function simdOrThrow(backend: unknown, kernelName: string): SimdKernels {
  const simd = simdKernelsFor(backend);
  if (!simd) throw new Error(`${kernelName}: fewshot's wasm SIMD kernels are not available on this backend`);
  return simd;
}

/** out[c] = sum over all leading positions of (x - mean) * dy, for x, dy [..., C] and mean [C]. */
const centeredDotKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, mean, dy } = inputs as { x: tf.TensorInfo; mean: tf.TensorInfo; dy: tf.TensorInfo };
  const simd = simdOrThrow(backend, CENTERED_DOT_KERNEL);
  const c = x.shape[x.shape.length - 1]!;
  const out = (backend as unknown as HeapBackend).makeOutput([c], 'float32');
  const outer = tf.util.sizeFromShape(x.shape) / c;
  simd.withScratch(8 * c, (acc) =>
    simd.exports.centered_dot(simd.offset(x), simd.offset(mean), simd.offset(dy), simd.offset(out), outer, c, acc),
  );
  return out;
};

/** out = x * f, f [C] scaling the last axis of x. */
const channelScaleKernel: tf.KernelFunc = ({ inputs, backend }) => {
  const { x, f } = inputs as { x: tf.TensorInfo; f: tf.TensorInfo };
  const simd = simdOrThrow(backend, CHANNEL_SCALE_KERNEL);
  const c = x.shape[x.shape.length - 1]!;
  const out = (backend as unknown as HeapBackend).makeOutput(x.shape, 'float32');
  simd.exports.channel_scale(simd.offset(x), simd.offset(f), simd.offset(out), tf.util.sizeFromShape(x.shape) / c, c);
  return out;
};

/** Registers the two helper kernels for 'wasm' (idempotent). */
export function registerBatchNormGradKernels(): void {
  if (!tf.getKernel(CENTERED_DOT_KERNEL, 'wasm'))
    tf.registerKernel({ kernelName: CENTERED_DOT_KERNEL, backendName: 'wasm', kernelFunc: centeredDotKernel });
  if (!tf.getKernel(CHANNEL_SCALE_KERNEL, 'wasm'))
    tf.registerKernel({ kernelName: CHANNEL_SCALE_KERNEL, backendName: 'wasm', kernelFunc: channelScaleKernel });
}

function fastPathApplies(
  dy: tf.Tensor,
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  scale: tf.Tensor | undefined,
): boolean {
  if (tf.getBackend() !== 'wasm' || simdKernelsFor(tf.backend()) == null) return false;
  const c = x.shape[x.shape.length - 1];
  const perChannel = (t: tf.Tensor | undefined): boolean =>
    t == null || (t.rank === 1 && t.shape[0] === c && t.dtype === 'float32');
  return (
    c != null &&
    c > 0 &&
    x.dtype === 'float32' &&
    dy.dtype === 'float32' &&
    x.size > 0 &&
    dy.shape.length === x.shape.length &&
    dy.shape.every((v, i) => v === x.shape[i]) &&
    perChannel(mean) &&
    perChannel(variance) &&
    perChannel(scale)
  );
}

function fastGradient(original: tf.GradConfig): tf.GradFunc {
  return (dyIn, saved, attrs) => {
    const dy = dyIn as tf.Tensor;
    const [x, mean, variance, scale] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D | undefined];
    if (!fastPathApplies(dy, x, mean, variance, scale)) return original.gradFunc(dyIn, saved, attrs);
    const eps = (attrs as unknown as tf.FusedBatchNormAttrs).varianceEpsilon;
    const leading = Array.from({ length: x.rank - 1 }, (_, i) => i);
    const r = (): tf.Tensor1D => tf.rsqrt(tf.add(variance, tf.scalar(eps))) as tf.Tensor1D;
    const scaled = (t: tf.Tensor1D): tf.Tensor1D => (scale ? tf.mul(t, scale) : t);
    const centeredDot = (): tf.Tensor1D =>
      tf.engine().runKernel(CENTERED_DOT_KERNEL, { x, mean, dy }, {}) as tf.Tensor1D;
    return {
      x: () => tf.engine().runKernel(CHANNEL_SCALE_KERNEL, { x: dy, f: scaled(r()) }, {}) as tf.Tensor,
      mean: () => tf.mul(tf.neg(scaled(r())), tf.sum(dy, leading)),
      variance: () => {
        const rv = r();
        return tf.mul(scaled(tf.mul(tf.mul(tf.mul(rv, rv), rv), tf.scalar(-0.5))), centeredDot());
      },
      scale: () => tf.mul(r(), centeredDot()),
      offset: () => tf.sum(dy, leading),
    };
  };
}

/** Replaces the FusedBatchNorm gradient with the dispatching one above (idempotent). */
export function registerBatchNormGradient(): void {
  const existing = tf.getGradient('FusedBatchNorm') as MarkedGradConfig | undefined;
  if (!existing || existing[MARK]) return;
  const config: MarkedGradConfig = {
    kernelName: 'FusedBatchNorm',
    inputsToSave: existing.inputsToSave ?? ['x', 'mean', 'variance', 'scale'],
    gradFunc: fastGradient(existing),
  };
  config[MARK] = { original: existing };
  registerBatchNormGradKernels();
  tf.registerGradient(config);
}

/** Restores tfjs's own FusedBatchNorm gradient (idempotent). */
export function unregisterBatchNormGradient(): void {
  const existing = tf.getGradient('FusedBatchNorm') as MarkedGradConfig | undefined;
  const original = existing?.[MARK]?.original;
  if (original) tf.registerGradient(original);
}

/** True when the FusedBatchNorm gradient is ours. */
export function batchNormGradientRegistered(): boolean {
  return (tf.getGradient('FusedBatchNorm') as MarkedGradConfig | undefined)?.[MARK] != null;
}
