/**
 * Fast training gradients for the tfjs wasm backend (Node): registers, for backendName 'wasm' only,
 *  - Conv2DBackpropFilter (missing from tfjs-backend-wasm 4.22, so conv nets could not train on wasm),
 *  - Conv2DBackpropInput  (the built-in one is a naive loop, ~8x slower than the forward conv),
 *  - MaxPoolGrad          (the built-in one is slow and wrong: ties go to the LAST max instead of the
 *                          cpu backend's FIRST max, and all-negative windows send their gradient to
 *                          the window's first element),
 * and, unless `{ tileAndReductions: false }`, the two kernels that dominate batchNorm training on wasm:
 *  - Tile                 (the built-in one copies element by element: ~0.4 s per batchNorm gradient),
 *  - Sum / Mean over leading axes (the built-in ones transpose first: ~50 ms per [128,28,28,64]),
 *  - FusedBatchNorm       (the built-in one is a scalar loop; ours is SIMD and bit for bit equal to it),
 *  - Identity / Cast      (same dtype: share the input's data instead of copying it, as the cpu backend does).
 * and the FusedBatchNorm gradient (batch-norm-grad.ts: per-channel reductions instead of ~10 full-size
 * temporaries) and the Mean gradient (mean-grad.ts: one tile of dy / n instead of ones, mul and div at full
 * size, bit for bit the same); both registered for every backend, as tfjs gradients are, but taking
 * their route on wasm only.
 * Where fewshot's wasm SIMD module loads (simd-kernels.ts, kernels/fewshot-kernels.c), MaxPoolGrad,
 * Sum / Mean and FusedBatchNorm run in it, in place on the backend's memory.
 * The conv gradients are expressed through the backend's fast XNNPACK forward Conv2D (see
 * conv2d-backprop-filter.ts / conv2d-backprop-input.ts); the others are single passes over wasm-heap
 * views (max-pool-grad.ts, tile-copy.ts, leading-axes-reduce.ts) and fall back to the displaced wasm
 * kernel for anything they do not cover. Gradient functions (registerGradient) and other backends are
 * untouched.
 *
 * The conv kernels run tfjs ops inside the kernel: the engine disables tape recording while a kernel
 * runs (kernelDepth > 0), intermediates are released by tf.tidy, and the kernel returns the result
 * Tensor itself, which the engine adopts as the kernel output (no copy, no leak).
 */
import { tf } from '../tfjs.js';
import {
  conv2dBackpropFilterViaConv,
  IM2COL_MAX_PATCH,
  type Conv2DBackpropFilterParams,
} from './conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv, type Conv2DBackpropInputParams } from './conv2d-backprop-input.js';
import { maxPoolGradFirstMax } from './max-pool-grad.js';
import { tileInto } from './tile-copy.js';
import { leadingAxesCount, reduceLeading } from './leading-axes-reduce.js';
import { simdKernelsFor } from './simd-kernels.js';
import { registerBatchNormGradient, unregisterBatchNormGradient } from './batch-norm-grad.js';
import { registerMeanGradient, unregisterMeanGradient } from './mean-grad.js';

const BACKEND_NAME = 'wasm';
/** Conv2DBackpropInput with at most this many input channels (stride 1) runs in the SIMD dot-product kernel. */
const SMALL_INPUT_CHANNELS = 4;

/** Gradient kernels replaced/added for the wasm backend by {@link registerWasmGradientKernels}. */
export const WASM_GRADIENT_KERNEL_NAMES: readonly string[] = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
];
/** Kernels replaced as well unless `tileAndReductions: false` (forward kernels batchNorm training leans on). */
export const WASM_TILE_AND_REDUCTION_KERNEL_NAMES: readonly string[] = [
  'Tile',
  'Sum',
  'Mean',
  'FusedBatchNorm',
  'Identity',
  'Cast',
];

export interface WasmGradientKernelOptions {
  /** Also replace Tile, Sum and Mean (leading-axes case) with faster versions. Default true. */
  tileAndReductions?: boolean;
}

/** Marks our kernel functions (global symbol, so duplicated module instances still recognise them). */
const MARK = Symbol.for('@fewshot/core:wasm-gradient-kernel');

interface MarkedKernelFunc extends tf.KernelFunc {
  [MARK]?: { original: tf.KernelConfig | undefined };
}

/** The part of tfjs-backend-wasm's BackendWasm used by MaxPoolGrad. */
interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  incRef?(dataId: tf.DataId): void;
}

function isWasmHeapBackend(backend: unknown): backend is WasmHeapBackend {
  const b = backend as Partial<WasmHeapBackend> | null;
  return b != null && typeof b.makeOutput === 'function' && typeof b.typedArrayFromHeap === 'function';
}

/**
 * Runs `fn` on the kernel inputs as Tensors (engine.runKernel passes Tensors; a bare TensorInfo gets a
 * temporary Tensor view) and returns its result Tensor, which becomes the kernel output.
 */
function runOnTensors(backend: unknown, infos: tf.TensorInfo[], fn: (ts: tf.Tensor4D[]) => tf.Tensor): tf.Tensor {
  const views: tf.Tensor[] = [];
  try {
    const tensors = infos.map((info) => {
      if (info instanceof tf.Tensor) return info as tf.Tensor4D;
      (backend as WasmHeapBackend).incRef?.(info.dataId);
      const view = tf.engine().makeTensorFromTensorInfo(info, backend as tf.KernelBackend);
      views.push(view);
      return view as tf.Tensor4D;
    });
    return fn(tensors);
  } finally {
    for (const v of views) v.dispose();
  }
}

function input(inputs: tf.NamedTensorInfoMap, name: string, kernelName: string): tf.TensorInfo {
  const t = inputs[name];
  if (t == null) throw new Error(`${kernelName}: missing input '${name}'`);
  return t;
}

type KernelFactory = (original: tf.KernelConfig | undefined) => tf.KernelFunc;

/** Conv2D geometry when it suits the SIMD first-layer kernels (NHWC float32, stride 1, dilation 1); else null. */
function smallConvInfo(
  backend: unknown,
  xShape: number[],
  filterShape: number[],
  a: {
    strides: number | [number, number];
    pad: Conv2DBackpropFilterParams['pad'];
    dataFormat?: string;
    dimRoundingMode?: Conv2DBackpropFilterParams['dimRoundingMode'];
    dilations?: number | [number, number];
  },
  dtypes: tf.DataType[],
): { info: tf.backend_util.Conv2DInfo; simd: NonNullable<ReturnType<typeof simdKernelsFor>> } | null {
  if (
    (a.dataFormat ?? 'NHWC') !== 'NHWC' ||
    dtypes.some((d) => d !== 'float32') ||
    xShape.length !== 4 ||
    filterShape.length !== 4
  )
    return null;
  const simd = simdKernelsFor(backend);
  if (!simd) return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || info.dilationHeight !== 1 || info.dilationWidth !== 1)
    return null;
  return { info, simd };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const conv2DBackpropFilterKernel: KernelFactory =
  () =>
  ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as Conv2DBackpropFilterParams;
    const x = input(inputs, 'x', 'Conv2DBackpropFilter');
    const dy = input(inputs, 'dy', 'Conv2DBackpropFilter');
    const [fh, fw, inC, outC] = a.filterShape;
    const small =
      fh * fw * inC <= IM2COL_MAX_PATCH ? smallConvInfo(backend, x.shape, a.filterShape, a, [x.dtype, dy.dtype]) : null;
    if (small && inC === x.shape[3] && sameShape(dy.shape, small.info.outShape)) {
      const { info, simd } = small;
      const out = (backend as WasmHeapBackend).makeOutput([...a.filterShape], 'float32');
      simd.withScratch(4 * fh * fw * inC * outC, (part) =>
        simd.exports.conv_filter_grad_small(
          simd.offset(x),
          simd.offset(dy),
          simd.offset(out),
          part,
          info.batchSize,
          info.inHeight,
          info.inWidth,
          inC,
          info.outHeight,
          info.outWidth,
          outC,
          fh,
          fw,
          info.padInfo.top,
          info.padInfo.left,
        ),
      );
      return out;
    }
    return runOnTensors(backend, [x, dy], ([xt, dyt]) =>
      conv2dBackpropFilterViaConv(xt!, dyt!, {
        strides: a.strides,
        pad: a.pad,
        dataFormat: a.dataFormat,
        dimRoundingMode: a.dimRoundingMode,
        filterShape: a.filterShape,
        dilations: a.dilations,
      }),
    );
  };

const conv2DBackpropInputKernel: KernelFactory =
  () =>
  ({ inputs, backend, attrs }) => {
    const a = attrs as unknown as Conv2DBackpropInputParams;
    const dy = input(inputs, 'dy', 'Conv2DBackpropInput');
    const filter = input(inputs, 'filter', 'Conv2DBackpropInput');
    const small =
      a.inputShape[3] <= SMALL_INPUT_CHANNELS
        ? smallConvInfo(backend, a.inputShape, filter.shape, a, [dy.dtype, filter.dtype])
        : null;
    if (small && sameShape(dy.shape, small.info.outShape)) {
      const { info, simd } = small;
      const out = (backend as WasmHeapBackend).makeOutput([...a.inputShape], 'float32');
      simd.exports.conv_input_grad_small(
        simd.offset(dy),
        simd.offset(filter),
        simd.offset(out),
        info.batchSize,
        info.inHeight,
        info.inWidth,
        info.inChannels,
        info.outHeight,
        info.outWidth,
        info.outChannels,
        info.filterHeight,
        info.filterWidth,
        info.padInfo.top,
        info.padInfo.left,
      );
      return out;
    }
    return runOnTensors(backend, [dy, filter], ([dyt, ft]) =>
      conv2dBackpropInputViaConv(dyt!, ft!, {
        strides: a.strides,
        pad: a.pad,
        dataFormat: a.dataFormat,
        dimRoundingMode: a.dimRoundingMode,
        inputShape: a.inputShape,
        dilations: a.dilations,
      }),
    );
  };

const maxPoolGradKernel: KernelFactory = (original) => (args) => {
  const { inputs, backend, attrs } = args;
  const a = attrs as unknown as tf.MaxPoolGradAttrs;
  const dy = input(inputs, 'dy', 'MaxPoolGrad');
  const x = input(inputs, 'input', 'MaxPoolGrad');
  if (!isWasmHeapBackend(backend) || x.shape.length !== 4) {
    if (original) return original.kernelFunc(args);
    throw new Error('MaxPoolGrad: expected the wasm backend and a rank-4 input');
  }
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  if (dy.shape.length !== 4 || info.outShape.some((v, i) => v !== dy.shape[i])) {
    throw new Error(
      `MaxPoolGrad: dy shape [${dy.shape.join(',')}] does not match the pool output [${info.outShape.join(',')}]`,
    );
  }
  const out = backend.makeOutput(x.shape, 'float32');
  const simd = x.dtype === 'float32' && dy.dtype === 'float32' ? simdKernelsFor(backend) : null;
  if (simd) {
    const { padInfo } = info;
    simd.exports.max_pool_grad(
      simd.offset(x),
      simd.offset(dy),
      simd.offset(out),
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      info.strideHeight,
      info.strideWidth,
      info.dilationHeight,
      info.dilationWidth,
      info.effectiveFilterHeight,
      info.effectiveFilterWidth,
      padInfo.top,
      padInfo.left,
    );
    return out;
  }
  // Views are taken after the allocation above, which may grow (and detach) the wasm heap.
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  maxPoolGradFirstMax(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(dy), dx, info);
  return out;
};

function delegate(
  original: tf.KernelConfig | undefined,
  kernelName: string,
  args: Parameters<tf.KernelFunc>[0],
): tf.TensorInfo | tf.TensorInfo[] {
  if (!original) throw new Error(`${kernelName}: case not supported and no wasm kernel to fall back to`);
  return original.kernelFunc(args);
}

const HEAP_DTYPES: ReadonlySet<string> = new Set(['float32', 'int32', 'bool']);

const tileKernel: KernelFactory = (original) => (args) => {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'Tile');
  const reps = (attrs as unknown as tf.TileAttrs).reps;
  if (!isWasmHeapBackend(backend) || !HEAP_DTYPES.has(x.dtype) || reps.length !== x.shape.length) {
    return delegate(original, 'Tile', args);
  }
  const out = backend.makeOutput(
    x.shape.map((s, i) => s * reps[i]!),
    x.dtype,
  );
  tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
  return out;
};

/** Sum or Mean of a float32 tensor over leading axes; other cases go to the displaced wasm kernel. */
const reduceKernel =
  (kernelName: 'Sum' | 'Mean'): KernelFactory =>
  (original) =>
  (args) => {
    const { inputs, backend, attrs } = args;
    const x = input(inputs, 'x', kernelName);
    const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
    const k = leadingAxesCount(tf.util.parseAxisParam(axis, x.shape), x.shape.length);
    if (!isWasmHeapBackend(backend) || x.dtype !== 'float32' || k < 1) return delegate(original, kernelName, args);
    const outer = tf.util.sizeFromShape(x.shape.slice(0, k));
    const inner = tf.util.sizeFromShape(x.shape.slice(k));
    const outShape = keepDims ? x.shape.map((s, i) => (i < k ? 1 : s)) : x.shape.slice(k);
    const out = backend.makeOutput(outShape, 'float32');
    const simd = simdKernelsFor(backend);
    if (simd) {
      simd.exports.reduce_leading(simd.offset(x), outer, inner, simd.offset(out), kernelName === 'Mean' ? outer : 1);
      return out;
    }
    const src = backend.typedArrayFromHeap(x) as Float32Array;
    reduceLeading(
      src,
      outer,
      inner,
      backend.typedArrayFromHeap(out) as Float32Array,
      kernelName === 'Mean' ? outer : 1,
    );
    return out;
  };

/**
 * Identity, and Cast to the same dtype, share the input's data (reference-counted, as on the cpu
 * backend) instead of copying it: tfjs gradients clone full-size tensors this way many times a step.
 */
const shareKernel =
  (kernelName: 'Identity' | 'Cast'): KernelFactory =>
  (original) =>
  (args) => {
    const { inputs, backend, attrs } = args;
    const x = input(inputs, 'x', kernelName);
    const sameDtype = kernelName === 'Identity' || (attrs as unknown as tf.CastAttrs).dtype === x.dtype;
    const b = backend as { incRef?: (dataId: tf.DataId) => void };
    if (!sameDtype || x.dtype === 'string' || typeof b.incRef !== 'function')
      return delegate(original, kernelName, args);
    b.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };

/**
 * FusedBatchNorm forward with per-channel (last-axis) parameters in SIMD, bit for bit as wasm's own
 * scalar kernel computes it; other cases go to that kernel.
 */
const fusedBatchNormKernel: KernelFactory = (original) => (args) => {
  const { inputs, backend, attrs } = args;
  const x = input(inputs, 'x', 'FusedBatchNorm');
  const mean = input(inputs, 'mean', 'FusedBatchNorm');
  const variance = input(inputs, 'variance', 'FusedBatchNorm');
  const { offset, scale } = inputs;
  const c = x.shape[x.shape.length - 1] ?? 0;
  const size = tf.util.sizeFromShape(x.shape);
  const perChannel = (t: tf.TensorInfo | undefined): boolean =>
    t == null || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === c);
  const simd = simdKernelsFor(backend);
  if (
    !simd ||
    x.dtype !== 'float32' ||
    c === 0 ||
    size === 0 ||
    !perChannel(mean) ||
    !perChannel(variance) ||
    !perChannel(offset) ||
    !perChannel(scale)
  ) {
    return delegate(original, 'FusedBatchNorm', args);
  }
  const { varianceEpsilon } = attrs as unknown as tf.FusedBatchNormAttrs;
  const out = (backend as WasmHeapBackend).makeOutput(x.shape, 'float32');
  simd.withScratch(4 * c, (nf) =>
    simd.exports.batch_norm(
      simd.offset(x),
      simd.offset(mean),
      simd.offset(variance),
      offset ? simd.offset(offset) : 0,
      scale ? simd.offset(scale) : 0,
      simd.offset(out),
      size,
      c,
      varianceEpsilon,
      nf,
    ),
  );
  return out;
};

const FACTORIES: ReadonlyArray<readonly [string, KernelFactory]> = [
  ['Conv2DBackpropFilter', conv2DBackpropFilterKernel],
  ['Conv2DBackpropInput', conv2DBackpropInputKernel],
  ['MaxPoolGrad', maxPoolGradKernel],
];

const EXTRA_FACTORIES: ReadonlyArray<readonly [string, KernelFactory]> = [
  ['Tile', tileKernel],
  ['Sum', reduceKernel('Sum')],
  ['Mean', reduceKernel('Mean')],
  ['FusedBatchNorm', fusedBatchNormKernel],
  ['Identity', shareKernel('Identity')],
  ['Cast', shareKernel('Cast')],
];

function registered(kernelName: string): tf.KernelConfig | undefined {
  return tf.getKernel(kernelName, BACKEND_NAME) as tf.KernelConfig | undefined;
}

function isOurs(config: tf.KernelConfig | undefined): boolean {
  return config != null && (config.kernelFunc as MarkedKernelFunc)[MARK] != null;
}

function install(kernelName: string, factory: KernelFactory): void {
  const existing = registered(kernelName);
  if (isOurs(existing)) return;
  if (existing) tf.unregisterKernel(kernelName, BACKEND_NAME);
  const kernelFunc: MarkedKernelFunc = factory(existing);
  kernelFunc[MARK] = { original: existing };
  const config: tf.KernelConfig = { kernelName, backendName: BACKEND_NAME, kernelFunc };
  // Keep the displaced kernel's setup/dispose hooks: setBackend runs them, and we may delegate to it.
  if (existing?.setupFunc) config.setupFunc = existing.setupFunc;
  if (existing?.disposeFunc) config.disposeFunc = existing.disposeFunc;
  tf.registerKernel(config);
}

function uninstall(kernelName: string): void {
  const existing = registered(kernelName);
  if (!isOurs(existing)) return;
  const original = (existing!.kernelFunc as MarkedKernelFunc)[MARK]!.original;
  tf.unregisterKernel(kernelName, BACKEND_NAME);
  if (original) tf.registerKernel(original);
}

/**
 * Registers the fast kernels for the 'wasm' backend: adds Conv2DBackpropFilter, replaces wasm's own
 * Conv2DBackpropInput and MaxPoolGrad, and (unless `tileAndReductions: false`) Tile, Sum and Mean.
 * Idempotent (a second call with `tileAndReductions: false` restores wasm's Tile/Sum/Mean). Call it
 * after `import '@tensorflow/tfjs-backend-wasm'` (which registers the wasm kernels), before or after
 * `tf.setBackend('wasm')`. Throws if no wasm kernels are registered yet.
 */
export function registerWasmGradientKernels(options: WasmGradientKernelOptions = {}): void {
  if (tf.getKernelsForBackend(BACKEND_NAME).length === 0) {
    throw new Error(
      "registerWasmGradientKernels(): no kernels are registered for the 'wasm' backend; " +
        "import '@tensorflow/tfjs-backend-wasm' before calling it",
    );
  }
  for (const [kernelName, factory] of FACTORIES) install(kernelName, factory);
  for (const [kernelName, factory] of EXTRA_FACTORIES) {
    if (options.tileAndReductions ?? true) install(kernelName, factory);
    else uninstall(kernelName);
  }
  if (options.tileAndReductions ?? true) {
    registerBatchNormGradient();
    registerMeanGradient();
  } else {
    unregisterBatchNormGradient();
    unregisterMeanGradient();
  }
}

/** Restores all of the wasm backend's own kernels (Conv2DBackpropFilter becomes unregistered again). Idempotent. */
export function unregisterWasmGradientKernels(): void {
  for (const [kernelName] of [...FACTORIES, ...EXTRA_FACTORIES]) uninstall(kernelName);
  unregisterBatchNormGradient();
  unregisterMeanGradient();
}

/** True when all kernels of {@link WASM_GRADIENT_KERNEL_NAMES} are ours. */
export function wasmGradientKernelsRegistered(): boolean {
  return FACTORIES.every(([kernelName]) => isOurs(registered(kernelName)));
}
