// Gradients of the wasm kernels (wasm-kernels.ts) against the cpu backend; run on the compiled dist.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  registerWasmGradientKernels,
  unregisterWasmGradientKernels,
  wasmGradientKernelsRegistered,
} from './wasm-kernels.js';
import { conv2dBackpropFilterViaConv } from './conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv } from './conv2d-backprop-input.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

const TOL = 1e-4;

/** Deterministic values in [-1, 1) (or {0, 1} when binary). */
function seeded(shape: readonly number[], seed: number, binary = false): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    out[i] = binary ? (u < 0.5 ? 0 : 1) : u * 2 - 1;
  }
  return out;
}

/** max|a-b| / max(1e-6, max|b|) */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(1e-6, m);
}

interface Result {
  shapes: number[][];
  values: Float32Array[];
}

/** Runs f on a backend inside tidy and reads its tensors back. */
async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Result> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ts = f();
    return { shapes: ts.map((t) => t.shape), values: ts.map((t) => t.dataSync() as Float32Array) };
  });
}

let worst = 0;
let compared = 0;
function expectClose(wasm: Result, cpu: Result, label: string, tol = TOL): void {
  expect(wasm.shapes).toEqual(cpu.shapes);
  for (let i = 0; i < cpu.values.length; i++) {
    const e = relErr(wasm.values[i]!, cpu.values[i]!);
    worst = Math.max(worst, e);
    compared++;
    if (!(e <= tol)) throw new Error(`${label}: output ${i} relative error ${e} > ${tol}`);
  }
}

interface ConvCase {
  x: Shape4;
  f: Shape4;
  strides: number | [number, number];
  pad: Pad;
}

function convOutShape(c: ConvCase, rounding?: Rounding): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, 1, c.pad, rounding);
  return info.outShape as Shape4;
}

/** d/dx and d/dw of sum(conv2d(x, w) * r) for a fixed random r. */
function convGrads(c: ConvCase, seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(seeded(c.x, seed), c.x);
    const w = tf.tensor4d(seeded(c.f, seed + 1), c.f);
    const outShape = convOutShape(c);
    const r = tf.tensor4d(seeded(outShape, seed + 2), outShape);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad), r)),
    );
    return g([x, w]);
  };
}

interface PoolCase {
  x: Shape4;
  size: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  binary?: boolean;
}

function poolGrad(c: PoolCase, seed: number): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(seeded(c.x, seed, c.binary), c.x);
    const outShape = tf.backend_util.computePool2DInfo(c.x, c.size, c.strides, 1, c.pad).outShape;
    const r = tf.tensor(seeded(outShape, seed + 1), outShape);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), r)));
    return [g(x)];
  };
}

const E = (t: number, b: number, l: number, r: number): tf.backend_util.ExplicitPadding => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

// Many shapes: strides 1/2/3 (and mixed), 'same' / 'valid' / numeric / explicit padding, odd and even
// sizes, 1..8 channels, batch 1 and > 1, square and rectangular filters.
const CONV_CASES: ConvCase[] = [];
{
  const shapes: Shape4[] = [
    [1, 7, 7, 1],
    [2, 8, 8, 3],
    [3, 9, 6, 2],
    [2, 10, 11, 4],
    [1, 12, 12, 8],
    [2, 5, 6, 3],
  ];
  const filters: [number, number][] = [
    [3, 3],
    [2, 2],
    [1, 1],
    [5, 5],
    [3, 2],
    [4, 4],
  ];
  const strides: (number | [number, number])[] = [1, 2, 3, [2, 1], [1, 3]];
  const pads: Pad[] = ['same', 'valid', 1, 2, E(1, 0, 2, 1), E(0, 2, 1, 0)];
  let k = 0;
  for (let i = 0; i < shapes.length; i++) {
    for (let j = 0; j < pads.length; j++) {
      const x = shapes[i]!;
      const pad = pads[j]!;
      const fh = filters[(i + j) % filters.length]![0];
      let fw = filters[(i + j) % filters.length]![1];
      let stride = strides[k++ % strides.length]!;
      // tfjs computes the output size of a NUMERIC pad from the filter height and stride height only
      // (conv_util computeOutputShape2D), which disagrees with XNNPACK's forward conv on wasm (it then
      // writes past the output buffer). Numeric pads are therefore only used with square filters/strides.
      if (typeof pad === 'number') {
        fw = fh;
        if (Array.isArray(stride)) stride = stride[0];
      }
      const outC = [4, 1, 5, 8, 3, 6][(i + 2 * j) % 6]!;
      const c: ConvCase = { x, f: [fh, fw, x[3], outC], strides: stride, pad };
      const out = convOutShape(c);
      if (out[1] > 0 && out[2] > 0) CONV_CASES.push(c);
    }
  }
  // Conv-4-like layers and a few extra stride/size combinations.
  CONV_CASES.push(
    { x: [4, 28, 28, 1], f: [3, 3, 1, 16], strides: 1, pad: 'same' },
    { x: [4, 14, 14, 16], f: [3, 3, 16, 16], strides: 1, pad: 'same' },
    { x: [3, 7, 7, 16], f: [3, 3, 16, 8], strides: 1, pad: 'same' },
    { x: [2, 3, 3, 8], f: [3, 3, 8, 8], strides: 1, pad: 'same' },
    { x: [2, 16, 16, 3], f: [3, 3, 3, 8], strides: 2, pad: 'same' },
    { x: [2, 15, 15, 3], f: [3, 3, 3, 8], strides: 2, pad: 'same' },
    { x: [2, 15, 16, 3], f: [4, 4, 3, 8], strides: 2, pad: 'same' },
    { x: [2, 17, 17, 2], f: [5, 5, 2, 4], strides: 3, pad: 'same' },
    { x: [2, 17, 17, 2], f: [5, 5, 2, 4], strides: 3, pad: 'valid' },
    { x: [1, 11, 11, 3], f: [3, 3, 3, 2], strides: 3, pad: 'valid' },
    { x: [2, 9, 9, 4], f: [1, 1, 4, 6], strides: 2, pad: 'valid' },
    { x: [2, 6, 6, 2], f: [6, 6, 2, 3], strides: 1, pad: 'valid' },
    { x: [1, 4, 4, 2], f: [3, 3, 2, 2], strides: 1, pad: 4 },
    { x: [1, 5, 5, 2], f: [2, 2, 2, 2], strides: 2, pad: E(4, 3, 0, 5) },
  );
}

const POOL_CASES: PoolCase[] = [
  { x: [2, 8, 8, 3], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 9, 9, 3], size: 2, strides: 2, pad: 'valid' },
  { x: [2, 7, 7, 3], size: 2, strides: 2, pad: 'same' },
  { x: [1, 8, 8, 5], size: 2, strides: 2, pad: 'same' },
  { x: [3, 9, 10, 4], size: 3, strides: 2, pad: 'valid' },
  { x: [3, 9, 10, 4], size: 3, strides: 2, pad: 'same' },
  { x: [2, 8, 8, 2], size: 3, strides: 1, pad: 'same' },
  { x: [2, 8, 7, 2], size: 2, strides: 1, pad: 'valid' },
  { x: [1, 12, 12, 6], size: 3, strides: 3, pad: 'valid' },
  { x: [1, 13, 11, 6], size: 3, strides: 3, pad: 'same' },
  { x: [2, 10, 10, 3], size: [2, 3], strides: [1, 2], pad: 'same' },
  { x: [2, 10, 9, 3], size: [3, 2], strides: [2, 3], pad: 'valid' },
  { x: [2, 9, 9, 3], size: 3, strides: 2, pad: 1 },
  { x: [1, 6, 6, 1], size: 6, strides: 1, pad: 'valid' },
  { x: [1, 5, 5, 1], size: 4, strides: 3, pad: 'same' },
  { x: [8, 28, 28, 16], size: 2, strides: 2, pad: 'valid' },
];

// Omniglot-like binary images: many tied maxima per window.
const TIE_CASES: PoolCase[] = [
  { x: [4, 28, 28, 8], size: 2, strides: 2, pad: 'valid', binary: true },
  { x: [4, 14, 14, 8], size: 2, strides: 2, pad: 'same', binary: true },
  { x: [2, 15, 15, 4], size: 3, strides: 2, pad: 'same', binary: true },
  { x: [2, 12, 12, 4], size: 3, strides: 1, pad: 'same', binary: true },
  { x: [2, 9, 9, 4], size: 3, strides: 3, pad: 'valid', binary: true },
];

beforeAll(async () => {
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
  await tf.setBackend('wasm');
  registerWasmGradientKernels();
});

afterAll(async () => {
  // Summary for the report: number of compared gradient tensors and the worst relative error.
  console.log(
    `wasm-kernels.spec: ${compared} gradient tensors compared with cpu, max relative error ${worst.toExponential(2)}`,
  );
  await tf.setBackend('cpu');
});

describe('registerWasmGradientKernels', () => {
  it('adds Conv2DBackpropFilter and replaces Conv2DBackpropInput / MaxPoolGrad for wasm only, idempotently', () => {
    const cpuBefore = tf.getKernel('MaxPoolGrad', 'cpu');
    registerWasmGradientKernels();
    registerWasmGradientKernels();
    expect(wasmGradientKernelsRegistered()).toBe(true);
    const names = tf.getKernelsForBackend('wasm').map((k) => k.kernelName);
    for (const n of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad']) {
      expect(names.filter((x) => x === n)).toHaveLength(1);
    }
    expect(tf.getKernel('MaxPoolGrad', 'cpu')).toBe(cpuBefore);

    unregisterWasmGradientKernels();
    expect(wasmGradientKernelsRegistered()).toBe(false);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBeDefined();
    registerWasmGradientKernels();
    expect(wasmGradientKernelsRegistered()).toBe(true);
  });
});

describe('conv2d gradients on wasm match cpu', () => {
  it(`${CONV_CASES.length} shapes / strides / paddings (dx and dw)`, async () => {
    let seed = 1;
    for (const c of CONV_CASES) {
      seed += 10;
      const label = `conv x=${String(c.x)} f=${String(c.f)} s=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}`;
      const cpu = await on('cpu', convGrads(c, seed));
      const wasm = await on('wasm', convGrads(c, seed));
      expectClose(wasm, cpu, label);
    }
  });

  it('conv2dTranspose (forward Conv2DBackpropInput) and its gradients, i.e. our kernel inside a recording tape', async () => {
    const cases: [Shape4, Shape4, number, Pad][] = [
      [[2, 8, 8, 3], [3, 3, 3, 4], 2, 'same'],
      [[2, 9, 7, 3], [3, 3, 3, 4], 2, 'valid'],
      [[1, 6, 6, 2], [2, 2, 2, 3], 1, 'valid'],
    ];
    for (const [xs, fs, s, pad] of cases) {
      const dyShape = convOutShape({ x: xs, f: fs, strides: s, pad });
      const run = (): tf.Tensor[] => {
        const dy = tf.tensor4d(seeded(dyShape, 5), dyShape);
        const w = tf.tensor4d(seeded(fs, 6), fs);
        const r = tf.tensor4d(seeded(xs, 7), xs);
        const y = tf.conv2dTranspose(dy, w, xs, s, pad as 'same' | 'valid');
        const [gdy, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, xs, s, pad as 'same' | 'valid'), r)),
        )([dy, w]);
        return [y, gdy!, gw!];
      };
      expectClose(
        await on('wasm', run),
        await on('cpu', run),
        `conv2dTranspose ${String(xs)} ${String(fs)} ${String(s)} ${String(pad)}`,
      );
    }
  });

  it('dimRoundingMode and NCHW through the kernels directly', async () => {
    const cases: { c: ConvCase; rounding: Rounding; format: 'NHWC' | 'NCHW' }[] = [
      { c: { x: [2, 8, 8, 3], f: [3, 3, 3, 4], strides: 2, pad: 1 }, rounding: 'ceil', format: 'NHWC' },
      { c: { x: [2, 9, 9, 3], f: [2, 2, 3, 4], strides: 2, pad: 1 }, rounding: 'ceil', format: 'NHWC' },
      { c: { x: [2, 10, 9, 3], f: [3, 3, 3, 2], strides: 3, pad: 2 }, rounding: 'round', format: 'NHWC' },
      { c: { x: [2, 10, 9, 3], f: [3, 3, 3, 2], strides: 3, pad: 2 }, rounding: 'floor', format: 'NHWC' },
      // numeric pad with a rectangular filter / strides (tfjs sizes both axes from the height: only
      // the kernels are consistent with cpu here, the wasm forward conv is not)
      { c: { x: [1, 7, 7, 2], f: [5, 3, 2, 4], strides: [2, 1], pad: 2 }, rounding: undefined, format: 'NHWC' },
      { c: { x: [2, 3, 7, 8], f: [3, 3, 3, 4], strides: 2, pad: 'same' }, rounding: undefined, format: 'NCHW' },
      {
        c: {
          x: [1, 2, 9, 6],
          f: [2, 3, 2, 3],
          strides: 1,
          pad: [
            [0, 0],
            [0, 0],
            [1, 0],
            [2, 1],
          ],
        },
        rounding: undefined,
        format: 'NCHW',
      },
    ];
    for (const { c, rounding, format } of cases) {
      const nhwcX: Shape4 = format === 'NCHW' ? [c.x[0], c.x[2], c.x[3], c.x[1]] : c.x;
      const nhwcPad = format === 'NCHW' && typeof c.pad === 'object' ? [[0, 0], c.pad[2], c.pad[3], [0, 0]] : c.pad;
      const o = convOutShape({ ...c, x: nhwcX, pad: nhwcPad as Pad }, rounding);
      const dyShape: Shape4 = format === 'NCHW' ? [o[0], o[3], o[1], o[2]] : o;
      const run = (): tf.Tensor[] => {
        const x = tf.tensor4d(seeded(c.x, 11), c.x);
        const w = tf.tensor4d(seeded(c.f, 12), c.f);
        const dy = tf.tensor4d(seeded(dyShape, 13), dyShape);
        const common = { strides: c.strides, pad: c.pad, dataFormat: format, dimRoundingMode: rounding };
        const dw = tf
          .engine()
          .runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: c.f } as unknown as tf.NamedAttrMap);
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: w }, {
          ...common,
          inputShape: c.x,
        } as unknown as tf.NamedAttrMap);
        return [dw as tf.Tensor, dx as tf.Tensor];
      };
      expectClose(await on('wasm', run), await on('cpu', run), `kernels ${JSON.stringify({ ...c, rounding, format })}`);
    }
  });

  it('forward dilations (optional kernel attr): equal to the gradients of the equivalent zero-inserted filter', async () => {
    // tfjs's own conv2d gradient refuses dilations > 1 on every backend ...
    await tf.setBackend('wasm');
    expect(() =>
      tf.tidy(() =>
        tf.grad((a: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, tf.ones([3, 3, 1, 1]), 1, 'same', 'NHWC', 2)))(
          tf.ones([1, 6, 6, 1]),
        ),
      ),
    ).toThrow(/dilation/);
    // ... but our kernels accept a `dilations` attr, checked against a cpu reference with a dilated filter.
    const cases: { c: ConvCase; d: [number, number] }[] = [
      { c: { x: [2, 11, 10, 3], f: [3, 3, 3, 4], strides: 1, pad: 'same' }, d: [2, 2] },
      { c: { x: [2, 12, 12, 2], f: [3, 2, 2, 3], strides: 1, pad: 'valid' }, d: [2, 3] },
      { c: { x: [2, 13, 12, 2], f: [3, 3, 2, 3], strides: 2, pad: 'same' }, d: [2, 2] },
      { c: { x: [1, 14, 13, 2], f: [2, 3, 2, 2], strides: [3, 2], pad: 1 }, d: [3, 2] },
    ];
    for (const { c, d } of cases) {
      const [fh, fw, ci, co] = c.f;
      const dil: Shape4 = [(fh - 1) * d[0] + 1, (fw - 1) * d[1] + 1, ci, co];
      const o = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, d, c.pad).outShape as Shape4;
      const x = (): tf.Tensor4D => tf.tensor4d(seeded(c.x, 21), c.x);
      const dy = (): tf.Tensor4D => tf.tensor4d(seeded(o, 22), o);
      const w = (): tf.Tensor4D => tf.tensor4d(seeded(c.f, 23), c.f);
      const cpu = await on('cpu', () => {
        // Zero-inserted filter: w at taps (i*d0, j*d1).
        const mask = tf.buffer(dil);
        const wv = w().dataSync();
        for (let i = 0; i < fh; i++)
          for (let j = 0; j < fw; j++)
            for (let a = 0; a < ci; a++)
              for (let b = 0; b < co; b++) {
                mask.set(wv[((i * fw + j) * ci + a) * co + b]!, i * d[0], j * d[1], a, b);
              }
        const wd = mask.toTensor() as tf.Tensor4D;
        const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC' };
        const dwd = tf.engine().runKernel('Conv2DBackpropFilter', { x: x(), dy: dy() }, {
          ...common,
          filterShape: dil,
        } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dy(), filter: wd }, {
          ...common,
          inputShape: c.x,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [tf.stridedSlice(dwd, [0, 0, 0, 0], dil, [d[0], d[1], 1, 1]), dx];
      });
      const wasm = await on('wasm', () => {
        const common = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: d };
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: x(), dy: dy() }, {
          ...common,
          filterShape: c.f,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: dy(), filter: w() }, {
          ...common,
          inputShape: c.x,
        } as unknown as tf.NamedAttrMap) as tf.Tensor;
        return [dw, dx];
      });
      expectClose(wasm, cpu, `dilated ${JSON.stringify(c)} d=${String(d)}`);
    }
  });

  it('both filter-gradient forms (batch/channel-swapped conv, im2col) on cpu and wasm', async () => {
    const cases: { c: ConvCase; d?: [number, number] }[] = [
      { c: { x: [2, 9, 8, 3], f: [3, 2, 3, 4], strides: [2, 3], pad: 'same' } },
      { c: { x: [3, 10, 10, 1], f: [3, 3, 1, 8], strides: 1, pad: 'same' } },
      { c: { x: [2, 11, 9, 2], f: [4, 3, 2, 5], strides: 2, pad: 'valid' } },
      { c: { x: [2, 8, 8, 6], f: [3, 3, 6, 4], strides: 1, pad: E(2, 0, 1, 1) } },
      { c: { x: [2, 13, 12, 2], f: [3, 3, 2, 3], strides: 2, pad: 'same' }, d: [2, 2] },
    ];
    for (const { c, d } of cases) {
      const o = tf.backend_util.computeConv2DInfo(c.x, c.f, c.strides, d ?? 1, c.pad).outShape as Shape4;
      const mk = (): [tf.Tensor4D, tf.Tensor4D] => [tf.tensor4d(seeded(c.x, 31), c.x), tf.tensor4d(seeded(o, 33), o)];
      const ours = (method: 'conv' | 'im2col') => (): tf.Tensor[] => {
        const [x, dy] = mk();
        return [
          conv2dBackpropFilterViaConv(x, dy, {
            strides: c.strides,
            pad: c.pad,
            filterShape: c.f,
            dilations: d,
            method,
          }),
        ];
      };
      const conv = await on('cpu', ours('conv'));
      for (const backend of ['cpu', 'wasm'] as const) {
        for (const method of ['conv', 'im2col'] as const) {
          expectClose(await on(backend, ours(method)), conv, `${method} on ${backend} ${JSON.stringify(c)}`);
        }
      }
      if (d) continue; // the cpu kernel has no dilations
      const ref = await on('cpu', () => {
        const [x, dy] = mk();
        const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.f };
        return [
          tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
        ];
      });
      expectClose(conv, ref, `conv form vs cpu kernel ${JSON.stringify(c)}`);
    }
    const c: ConvCase = { x: [2, 9, 8, 3], f: [3, 2, 3, 4], strides: [2, 3], pad: 'same' };
    const o = convOutShape(c);
    const input = await on('cpu', () => [
      conv2dBackpropInputViaConv(tf.tensor4d(seeded(o, 33), o), tf.tensor4d(seeded(c.f, 32), c.f), {
        strides: c.strides,
        pad: c.pad,
        inputShape: c.x,
      }),
    ]);
    const inputRef = await on('cpu', () => {
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', inputShape: c.x };
      const args = { dy: tf.tensor4d(seeded(o, 33), o), filter: tf.tensor4d(seeded(c.f, 32), c.f) };
      return [tf.engine().runKernel('Conv2DBackpropInput', args, attrs as unknown as tf.NamedAttrMap) as tf.Tensor];
    });
    expectClose(input, inputRef, 'input form on cpu');
  });
});

describe('Tile / Sum / Mean replacements on wasm match cpu', () => {
  it('tile: ranks 1-5, broadcast-like and general reps, float32 / int32 / bool', async () => {
    const cases: [number[], number[]][] = [
      [[5], [3]],
      [
        [1, 1, 1, 64],
        [16, 7, 7, 1],
      ],
      [
        [2, 3],
        [1, 1],
      ],
      [
        [2, 3],
        [4, 5],
      ],
      [
        [3, 1],
        [2, 40],
      ],
      [
        [2, 3, 4],
        [2, 1, 3],
      ],
      [
        [1, 2, 1, 3, 2],
        [2, 2, 3, 1, 2],
      ],
      [
        [4, 17],
        [3, 2],
      ],
      [
        [2, 2],
        [0, 3],
      ],
    ];
    for (const [shape, reps] of cases) {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const run = (): tf.Tensor[] => {
          const v = seeded(shape, shape.length + reps[0]!);
          const x =
            dtype === 'float32'
              ? tf.tensor(v, shape)
              : dtype === 'bool'
                ? tf.tensor(
                    Array.from(v, (a) => a > 0),
                    shape,
                    'bool',
                  )
                : tf.tensor(
                    Array.from(v, (a) => Math.round(a * 100)),
                    shape,
                    'int32',
                  );
          return [tf.cast(tf.tile(x, reps), 'float32')];
        };
        expectClose(await on('wasm', run), await on('cpu', run), `tile ${String(shape)} x ${String(reps)} ${dtype}`, 0);
      }
    }
  });

  it('sum / mean over leading, trailing, middle and all axes, keepDims, int32', async () => {
    const shape: Shape4 = [6, 5, 4, 7];
    const axesList: (number | number[] | undefined)[] = [
      0,
      [0, 1],
      [0, 1, 2],
      [1, 0],
      [-4, -3, -2],
      [0, 1, 2, 3],
      undefined,
      3,
      [2, 3],
      1,
      [0, 2],
    ];
    for (const axis of axesList) {
      for (const keepDims of [false, true]) {
        const run = (): tf.Tensor[] => {
          const x = tf.tensor4d(seeded(shape, 71), shape);
          const xi = tf.tensor4d(
            Array.from(seeded(shape, 72), (a) => Math.round(a * 50)),
            shape,
            'int32',
          );
          return [
            tf.sum(x, axis, keepDims),
            tf.mean(x, axis, keepDims),
            tf.cast(tf.sum(xi, axis, keepDims), 'float32'),
            tf.mean(xi, axis, keepDims),
          ];
        };
        expectClose(
          await on('wasm', run),
          await on('cpu', run),
          `reduce axis=${JSON.stringify(axis)} keepDims=${keepDims}`,
          1e-6,
        );
      }
    }
  });

  it('can be turned off, restoring the wasm kernels', async () => {
    registerWasmGradientKernels({ tileAndReductions: false });
    expect(wasmGradientKernelsRegistered()).toBe(true);
    const run = (): tf.Tensor[] => [tf.sum(tf.tile(tf.tensor2d([[1, 2]]), [3, 1]), 0)];
    expect(Array.from((await on('wasm', run)).values[0]!)).toEqual([3, 6]);
    registerWasmGradientKernels();
    expect(Array.from((await on('wasm', run)).values[0]!)).toEqual([3, 6]);
  });
});

describe('maxPool gradient on wasm matches cpu', () => {
  it(`${POOL_CASES.length} pool configurations`, async () => {
    let seed = 100;
    for (const c of POOL_CASES) {
      seed += 3;
      const label = `maxPool x=${String(c.x)} size=${JSON.stringify(c.size)} s=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}`;
      expectClose(await on('wasm', poolGrad(c, seed)), await on('cpu', poolGrad(c, seed)), label);
    }
  });

  it('binary (0/1) inputs with tied maxima: gradient goes to the first max of each window, like cpu', async () => {
    let seed = 500;
    for (const c of TIE_CASES) {
      seed += 3;
      const label = `ties x=${String(c.x)} size=${JSON.stringify(c.size)} s=${JSON.stringify(c.strides)} pad=${JSON.stringify(c.pad)}`;
      const wasm = await on('wasm', poolGrad(c, seed));
      const cpu = await on('cpu', poolGrad(c, seed));
      // Overlapping windows may sum the same terms in another order: allow float rounding only.
      const overlapping =
        (Array.isArray(c.size) ? c.size[0] : c.size) > (Array.isArray(c.strides) ? c.strides[0] : c.strides);
      expectClose(wasm, cpu, label, overlapping ? 1e-6 : 0);
    }
    // All-equal windows: only the top-left element of each 2x2 window receives the gradient.
    const run = (): tf.Tensor[] => [
      tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(tf.zeros([1, 4, 4, 1])),
    ];
    const wasm = await on('wasm', run);
    expect(Array.from(wasm.values[0]!)).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0]);
    expectClose(wasm, await on('cpu', run), 'all-zero windows', 0);
  });

  it('dimRoundingMode ceil through the kernel directly', async () => {
    const run = (): tf.Tensor[] => {
      const xs: Shape4 = [2, 8, 8, 3];
      const x = tf.tensor4d(seeded(xs, 41), xs);
      const info = tf.backend_util.computePool2DInfo(xs, 3, 2, 1, 1, 'ceil');
      const dy = tf.tensor(seeded(info.outShape, 42), info.outShape);
      const attrs = { filterSize: 3, strides: 2, pad: 1, dimRoundingMode: 'ceil' };
      return [tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: dy }, attrs) as tf.Tensor];
    };
    expectClose(await on('wasm', run), await on('cpu', run), 'maxPoolGrad ceil');
  });
});

describe('memory', () => {
  it('computing and disposing gradients leaves the tensor and wasm buffer counts unchanged', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seeded([4, 12, 12, 3], 61), [4, 12, 12, 3]);
    const w1 = tf.tensor4d(seeded([3, 3, 3, 8], 62), [3, 3, 3, 8]);
    const w2 = tf.tensor4d(seeded([3, 3, 8, 8], 63), [3, 3, 8, 8]);
    const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor): tf.Scalar => {
      const h1 = tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same')), 2, 2, 'valid');
      const h2 = tf.conv2d(h1, c as tf.Tensor4D, 2, 'same');
      return tf.sum(tf.square(h2));
    };
    const grads = tf.grads(loss);
    // Warm up once (wasm allocates lazily), then count.
    tf.dispose(grads([x, w1, w2]));
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    const g = grads([x, w1, w2]);
    expect(g).toHaveLength(3);
    expect(tf.memory().numTensors).toBe(tensors + 3);
    expect(tf.backend().numDataIds()).toBe(buffers + 3);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);

    // Direct kernel calls outside any tidy: exactly one new tensor each.
    const dy = tf.tensor4d(seeded([4, 12, 12, 8], 64), [4, 12, 12, 8]);
    const before = tf.memory().numTensors;
    const k1 = tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 3, 8] },
      );
    const k2 = tf
      .engine()
      .runKernel(
        'Conv2DBackpropInput',
        { dy, filter: w1 },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [4, 12, 12, 3] },
      );
    const p = tf.maxPool(x, 2, 2, 'valid');
    const k3 = tf
      .engine()
      .runKernel('MaxPoolGrad', { dy: p, input: x, output: p }, { filterSize: 2, strides: 2, pad: 'valid' });
    expect(tf.memory().numTensors).toBe(before + 4);

    // Kernel functions called with bare TensorInfos (not Tensors), as another kernel might: the route through
    // tfjs ops (a 3x3x8 patch) returns a Tensor, the SIMD first-layer kernel (3x3x3) a bare TensorInfo.
    const info = (t: tf.Tensor): tf.TensorInfo => ({ dataId: t.dataId, shape: t.shape, dtype: t.dtype });
    const kernel = tf.getKernel('Conv2DBackpropFilter', 'wasm');
    const x8 = tf.tensor4d(seeded([4, 12, 12, 8], 65), [4, 12, 12, 8]);
    const k8 = tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x: x8, dy },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 8, 8] },
      ) as tf.Tensor;
    for (const [xt, inC, reference, newTensors] of [
      [x8, 8, k8, 1],
      [x, 3, k1 as tf.Tensor, 0],
    ] as const) {
      const buffersBefore = tf.backend().numDataIds();
      const tensorsBefore = tf.memory().numTensors;
      const out = kernel.kernelFunc({
        inputs: { x: info(xt), dy: info(dy) },
        backend: tf.backend(),
        attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, inC, 8] },
      }) as tf.TensorInfo;
      expect(tf.memory().numTensors).toBe(tensorsBefore + newTensors);
      expect(tf.backend().numDataIds()).toBe(buffersBefore + 1);
      const t = out instanceof tf.Tensor ? out : tf.engine().makeTensorFromTensorInfo(out);
      expect(relErr(t.dataSync(), reference.dataSync())).toBe(0);
      t.dispose();
    }
    tf.dispose([k1 as tf.Tensor, k2 as tf.Tensor, k3 as tf.Tensor, k8, p, dy, x, x8, w1, w2]);
    expect(x.isDisposed && dy.isDisposed).toBe(true);
  });
});
