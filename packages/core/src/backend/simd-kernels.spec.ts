// fewshot's wasm SIMD kernels (simd-kernels.ts, kernels/fewshot-kernels.c) against the cpu backend and
// against tfjs-backend-wasm's own kernels; run on the compiled dist.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { registerWasmGradientKernels } from './wasm-kernels.js';
import { conv1MaxPool, CONV1_MAX_POOL_KERNEL_NAME, registerConv1MaxPool } from './conv1-max-pool.js';
import {
  registerWinogradConv,
  winogradAvailable,
  winogradConv3x3,
  winogradFilter,
  winogradFits,
  WINOGRAD_KERNEL_NAME,
} from './winograd-conv.js';
import { setSimdKernelsDisabled, simdKernelsFor, SIMD_KERNELS_URL } from './simd-kernels.js';
import { meanGradientRegistered, registerMeanGradient, unregisterMeanGradient } from './mean-grad.js';
import {
  batchNormGradientRegistered,
  registerBatchNormGradient,
  unregisterBatchNormGradient,
} from './batch-norm-grad.js';

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

/** A deterministic integer in [lo, hi]. */
function pick(seed: number, lo: number, hi: number): number {
  return lo + ((Math.imul(seed, 2654435761) >>> 0) % (hi - lo + 1));
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

async function on(backend: 'cpu' | 'wasm', f: () => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  if (backend === 'cpu') (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false; // no console banner
  return tf.tidy(() => f().map((t) => t.dataSync() as Float32Array));
}

/** Runs f on wasm with the SIMD kernels off (tfjs-backend-wasm's own kernels / our TypeScript paths). */
async function withoutSimd(f: () => tf.Tensor[]): Promise<Float32Array[]> {
  setSimdKernelsDisabled(true);
  try {
    return await on('wasm', f);
  } finally {
    setSimdKernelsDisabled(false);
  }
}

function expectAllClose(got: Float32Array[], want: Float32Array[], tol: number, label: string): void {
  expect(got).toHaveLength(want.length);
  for (let i = 0; i < want.length; i++) {
    const e = relErr(got[i]!, want[i]!);
    if (!(e <= tol)) throw new Error(`${label}: output ${i} relative error ${e} > ${tol}`);
  }
}

function expectBitEqual(got: Float32Array[], want: Float32Array[], label: string): void {
  expect(got).toHaveLength(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = new Uint32Array(got[i]!.buffer, got[i]!.byteOffset, got[i]!.length);
    const b = new Uint32Array(want[i]!.buffer, want[i]!.byteOffset, want[i]!.length);
    const bad = a.findIndex((v, k) => v !== b[k]);
    if (a.length !== b.length || bad >= 0)
      throw new Error(`${label}: output ${i} differs at ${bad}: ${got[i]![bad]} vs ${want[i]![bad]}`);
  }
}

beforeAll(async () => {
  registerWasmGradientKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('the SIMD kernel module', () => {
  it('loads on the wasm backend, shares its memory and owns none of it', async () => {
    await tf.setBackend('wasm');
    expect(simdKernelsFor(tf.backend())).not.toBeNull();
    expect(simdKernelsFor({})).toBeNull();
    const bytes = readFileSync(SIMD_KERNELS_URL);
    const WA = (
      globalThis as unknown as {
        WebAssembly: {
          Module: {
            new (b: Uint8Array): object;
            imports(m: object): { module: string; name: string; kind: string }[];
            customSections(m: object, n: string): ArrayBuffer[];
          };
        };
      }
    ).WebAssembly;
    const mod = new WA.Module(bytes);
    expect(WA.Module.imports(mod)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    // Section id 11 is the data section: none.
    let at = 8;
    const ids: number[] = [];
    while (at < bytes.length) {
      ids.push(bytes[at]!);
      let size = 0;
      let shift = 0;
      let b: number;
      at++;
      do {
        b = bytes[at++]!;
        size |= (b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      at += size;
    }
    expect(ids).toContain(10); // code
    expect(ids).not.toContain(11);
  });
});

describe('FusedBatchNorm forward (SIMD)', () => {
  it('is bit for bit wasm’s own kernel, and matches cpu, for odd channel counts with and without offset / scale', async () => {
    for (let k = 0; k < 12; k++) {
      const c = [1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 67][k]!;
      const shape = [pick(k + 1, 1, 5), pick(k + 2, 1, 6), pick(k + 3, 1, 7), c];
      const run = (): tf.Tensor[] => {
        const x = tf.tensor(seeded(shape, k + 10), shape).mul(3);
        const mean = tf.tensor1d(seeded([c], k + 11));
        const variance = tf
          .tensor1d(seeded([c], k + 12))
          .abs()
          .add(0.01);
        const offset = tf.tensor1d(seeded([c], k + 13));
        const scale = tf.tensor1d(seeded([c], k + 14)).mul(2);
        return [
          tf.batchNorm(x, mean, variance, offset, scale, 1e-5),
          tf.batchNorm(x, mean, variance, undefined, scale, 1e-3),
          tf.batchNorm(x, mean, variance, offset, undefined, 1e-5),
          tf.batchNorm(x, mean, variance),
        ];
      };
      const simd = await on('wasm', run);
      expectBitEqual(simd, await withoutSimd(run), `batchNorm c=${c}`);
      expectAllClose(simd, await on('cpu', run), 1e-5, `batchNorm c=${c} vs cpu`);
    }
  });

  it('broadcast (non per-channel) parameters go to wasm’s own kernel', async () => {
    const run = (): tf.Tensor[] => {
      const x = tf.tensor(seeded([2, 3, 4, 6], 5), [2, 3, 4, 6]);
      return [tf.batchNorm(x, tf.scalar(0.1), tf.scalar(2), tf.scalar(0.3), tf.scalar(1.5))];
    };
    expectAllClose(await on('wasm', run), await on('cpu', run), 1e-5, 'scalar parameters');
  });
});

describe('Sum / Mean over leading axes (SIMD)', () => {
  it('sums bit for bit like cpu (float64 accumulation) for inner sizes 1-67', async () => {
    for (const inner of [1, 2, 3, 5, 7, 8, 9, 16, 17, 63, 64, 67]) {
      const outer = pick(inner, 1, 300);
      const run = (): tf.Tensor[] => {
        const x = tf.tensor(seeded([outer, inner], inner + 3), [outer, inner]).mul(1000);
        const x4 = tf.reshape(x, [1, outer, 1, inner]);
        return [tf.sum(x, 0), tf.sum(x4, [0, 1, 2], true), tf.mean(x, 0)];
      };
      const simd = await on('wasm', run);
      const cpu = await on('cpu', run);
      expectBitEqual(simd.slice(0, 2), cpu.slice(0, 2), `sum inner=${inner}`);
      expectAllClose(simd.slice(2), cpu.slice(2), 1e-6, `mean inner=${inner}`);
      expectBitEqual(simd, await withoutSimd(run), `sum/mean inner=${inner} vs TypeScript path`);
    }
  });
});

describe('MaxPoolGrad (SIMD)', () => {
  it('matches cpu for odd channel counts, overlapping windows, padding and ties', async () => {
    const cases: {
      x: [number, number, number, number];
      size: number;
      strides: number;
      pad: 'same' | 'valid' | number;
      binary: boolean;
    }[] = [];
    for (let k = 0; k < 16; k++) {
      cases.push({
        x: [pick(k + 1, 1, 3), pick(k + 2, 2, 11), pick(k + 3, 2, 11), [1, 3, 4, 5, 6, 9, 64, 67][k % 8]!],
        size: pick(k + 4, 1, 3),
        strides: pick(k + 5, 1, 3),
        pad: (['same', 'valid', 1] as const)[k % 3]!,
        binary: k % 2 === 0,
      });
    }
    for (const [k, c] of cases.entries()) {
      if (c.pad === 1 && c.size < 2) continue;
      const run = (): tf.Tensor[] => {
        const x = tf.tensor4d(seeded(c.x, k + 40, c.binary), c.x);
        const y = tf.maxPool(x, c.size, c.strides, c.pad);
        const r = tf.tensor(seeded(y.shape, k + 41), y.shape);
        return [
          tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, c.size, c.strides, c.pad), r)))(x),
        ];
      };
      const overlapping = c.size > c.strides;
      expectAllClose(
        await on('wasm', run),
        await on('cpu', run),
        overlapping ? 1e-6 : 0,
        `maxPoolGrad ${JSON.stringify(c)}`,
      );
    }
  });
});

describe('Identity / Cast share data', () => {
  it('clone and same-dtype cast read the same values and free the buffer once', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor([1.5, -2, 3], [3]);
    const buffers = tf.backend().numDataIds();
    const a = tf.clone(x);
    const b = tf.cast(x, 'float32');
    const i = tf.cast(x, 'int32');
    expect(tf.backend().numDataIds()).toBe(buffers + 1); // only the int32 cast copies
    expect(Array.from(a.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3]);
    x.dispose();
    expect(Array.from(a.dataSync())).toEqual([1.5, -2, 3]);
    tf.dispose([a, i]);
    expect(Array.from(b.dataSync())).toEqual([1.5, -2, 3]);
    b.dispose();
    expect(tf.backend().numDataIds()).toBe(buffers - 1);
  });
});

describe('a Conv-4 block trained on wasm', () => {
  it('gradients (conv, moments, batch norm, ReLU, max pool) match cpu', async () => {
    const run = (): tf.Tensor[] => {
      const x = tf.tensor4d(seeded([6, 10, 10, 3], 90, true), [6, 10, 10, 3]);
      const w = tf.tensor4d(seeded([3, 3, 3, 8], 91), [3, 3, 3, 8]);
      const gamma = tf.tensor1d(seeded([8], 92)).add(1);
      const beta = tf.tensor1d(seeded([8], 93));
      const f = (wv: tf.Tensor, g: tf.Tensor, bt: tf.Tensor): tf.Scalar => {
        const h = tf.conv2d(x, wv as tf.Tensor4D, 1, 'same');
        const { mean, variance } = tf.moments(h, [0, 1, 2]);
        const n = tf.relu(tf.batchNorm(h, mean, variance, bt as tf.Tensor1D, g as tf.Tensor1D, 1e-5));
        const p = tf.maxPool(n as tf.Tensor4D, 2, 2, 'valid');
        return tf.sum(tf.mul(p, tf.tensor(seeded(p.shape, 94), p.shape)));
      };
      return tf.grads(f)([w, gamma, beta]);
    };
    expectAllClose(await on('wasm', run), await on('cpu', run), 1e-4, 'conv block gradients');
  });
});

describe('first-layer convolution gradients (SIMD, stride 1, small patch)', () => {
  it('dw and dx match cpu for random shapes, filter sizes, paddings and odd channel counts', async () => {
    const pads = [
      'same',
      'valid',
      1,
      2,
      [
        [0, 0],
        [0, 2],
        [1, 0],
        [0, 0],
      ],
    ] as const;
    for (let k = 0; k < 20; k++) {
      const pad = pads[k % pads.length]! as 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
      const fh = pick(k + 1, 1, 5);
      // tfjs sizes numeric pads from the filter height alone (and wasm's conv then reads out of bounds): square filters there
      const fw = typeof pad === 'number' ? fh : pick(k + 2, 1, 4);
      const inC = pick(k + 3, 1, 3);
      const outC = [1, 3, 4, 5, 8, 64, 67][k % 7]!;
      const xs: [number, number, number, number] = [pick(k + 4, 1, 4), pick(k + 5, fh, 12), pick(k + 6, fw, 12), inC];
      const fs: [number, number, number, number] = [fh, fw, inC, outC];
      const run = (): tf.Tensor[] => {
        const x = tf.tensor4d(seeded(xs, k + 60, k % 2 === 0), xs);
        const w = tf.tensor4d(seeded(fs, k + 61), fs);
        const y = tf.conv2d(x, w, 1, pad);
        const r = tf.tensor(seeded(y.shape, k + 62), y.shape);
        return tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), r)),
        )([x, w]);
      };
      const label = `conv x=${xs.join('x')} f=${fs.join('x')} pad=${JSON.stringify(pad)}`;
      const simd = await on('wasm', run);
      expectAllClose(simd, await on('cpu', run), 1e-5, label);
      expectAllClose(simd, await withoutSimd(run), 1e-5, `${label} vs the XNNPACK route`);
    }
  });

  it('the kernels run (not the XNNPACK route) for a 3x3x1 first layer', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(seeded([2, 6, 6, 1], 70), [2, 6, 6, 1]);
    const dy = tf.tensor4d(seeded([2, 6, 6, 8], 71), [2, 6, 6, 8]);
    const w = tf.tensor4d(seeded([3, 3, 1, 8], 72), [3, 3, 1, 8]);
    const before = tf.memory().numTensors;
    const dw = tf
      .engine()
      .runKernel(
        'Conv2DBackpropFilter',
        { x, dy },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 1, 8] },
      ) as tf.Tensor;
    const dx = tf
      .engine()
      .runKernel(
        'Conv2DBackpropInput',
        { dy, filter: w },
        { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [2, 6, 6, 1] },
      ) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(before + 2);
    // dw[1, 1, 0, co] (centre tap) = sum over all pixels of x * dy[.., co]
    const xv = x.dataSync();
    const dyv = dy.dataSync();
    let centre = 0;
    for (let p = 0; p < 72; p++) centre += xv[p]! * dyv[p * 8 + 3]!;
    expect(dw.dataSync()[(1 * 3 + 1) * 8 + 3]).toBeCloseTo(centre, 4);
    expect(dx.shape).toEqual([2, 6, 6, 1]);
    tf.dispose([x, dy, w, dw, dx]);
  });
});

describe('FusedBatchNorm gradient (per-channel reductions on wasm)', () => {
  const grads = (shape: number[], k: number, withScale: boolean, withOffset: boolean) => (): tf.Tensor[] => {
    const c = shape[shape.length - 1]!;
    const x = tf.tensor(seeded(shape, k + 80), shape).mul(2);
    const mean = tf.tensor1d(seeded([c], k + 81));
    const variance = tf
      .tensor1d(seeded([c], k + 82))
      .abs()
      .add(0.05);
    const scale = tf.tensor1d(seeded([c], k + 83)).add(1.5);
    const offset = tf.tensor1d(seeded([c], k + 84));
    const r = tf.tensor(seeded(shape, k + 85), shape);
    const f = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor): tf.Scalar =>
      tf.sum(
        tf.mul(
          tf.batchNorm(
            a,
            m as tf.Tensor1D,
            v as tf.Tensor1D,
            withOffset ? (o as tf.Tensor1D) : undefined,
            withScale ? (s as tf.Tensor1D) : undefined,
            1e-3,
          ),
          r,
        ),
      );
    const g = tf.grads(f)([x, mean, variance, scale, offset]);
    return g.filter((_, i) => (i !== 3 || withScale) && (i !== 4 || withOffset));
  };

  it('x, mean, variance, scale and offset gradients match cpu for random shapes and odd channel counts', async () => {
    expect(batchNormGradientRegistered()).toBe(true);
    for (let k = 0; k < 12; k++) {
      const c = [1, 2, 3, 5, 8, 13, 64, 67][k % 8]!;
      const shape =
        k % 3 === 0 ? [pick(k + 1, 1, 40), c] : [pick(k + 1, 1, 4), pick(k + 2, 1, 6), pick(k + 3, 1, 5), c];
      // (tfjs cannot differentiate a batchNorm without scale or offset on any backend: its tape keeps the missing input)
      const withScale = true;
      const withOffset = true;
      const run = grads(shape, k, withScale, withOffset);
      expectAllClose(
        await on('wasm', run),
        await on('cpu', run),
        1e-5,
        `batchNorm grads shape=${shape.join('x')} scale=${withScale} offset=${withOffset}`,
      );
    }
  });

  it('elsewhere (cpu, or wasm without the SIMD kernels) it is tfjs’s own gradient, bit for bit', async () => {
    const run = grads([2, 3, 4, 5], 7, true, true);
    const oursCpu = await on('cpu', run);
    const oursNoSimd = await withoutSimd(run);
    unregisterBatchNormGradient();
    try {
      expect(batchNormGradientRegistered()).toBe(false);
      expectBitEqual(oursCpu, await on('cpu', run), 'cpu');
      expectBitEqual(oursNoSimd, await withoutSimd(run), 'wasm without SIMD');
    } finally {
      registerBatchNormGradient();
    }
    expect(batchNormGradientRegistered()).toBe(true);
  });

  it('leaves no tensor or wasm buffer behind', async () => {
    await tf.setBackend('wasm');
    const run = grads([3, 4, 4, 6], 3, true, true);
    tf.dispose(tf.tidy(run));
    const tensors = tf.memory().numTensors;
    const buffers = tf.backend().numDataIds();
    const g = tf.tidy(run);
    expect(g).toHaveLength(5);
    expect(tf.memory().numTensors).toBe(tensors + 5);
    tf.dispose(g);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(buffers);
  });
});

describe('Mean gradient (one tile on wasm)', () => {
  it('is bit for bit tfjs’s own gradient, on wasm and cpu, for leading, trailing, middle and all axes', async () => {
    expect(meanGradientRegistered()).toBe(true);
    const shape = [3, 5, 4, 7];
    const axesList: (number | number[] | undefined)[] = [[0, 1, 2], 0, 3, [1, 2], [0, 3], undefined, -1];
    const run = (): tf.Tensor[] =>
      axesList.flatMap((axis) =>
        [false, true].map((keepDims) => {
          const x = tf.tensor(seeded(shape, 31), shape);
          const r = tf.tensor(seeded(tf.mean(x, axis, keepDims).shape, 32), tf.mean(x, axis, keepDims).shape);
          return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.mean(a, axis, keepDims), r)))(x);
        }),
      );
    const oursWasm = await on('wasm', run);
    const oursCpu = await on('cpu', run);
    unregisterMeanGradient();
    try {
      expect(meanGradientRegistered()).toBe(false);
      expectBitEqual(oursWasm, await on('wasm', run), 'wasm');
      expectBitEqual(oursCpu, await on('cpu', run), 'cpu');
    } finally {
      registerMeanGradient();
    }
    expectAllClose(oursWasm, oursCpu, 1e-6, 'wasm vs cpu');
  });
});

describe('Winograd 3x3 convolution (inference only, SIMD)', () => {
  it('matches the cpu backend’s fused conv2d for odd sizes, batches across tile blocks, bias and ReLU', async () => {
    registerWinogradConv();
    await tf.setBackend('wasm');
    expect(winogradAvailable()).toBe(true);
    const cases: [number, number, number, number, number, boolean][] = [
      // n, h, w, cin, cout, relu
      [3, 14, 14, 64, 64, true],
      [2, 7, 7, 64, 64, false],
      [5, 3, 3, 64, 256, true],
      [1, 2, 2, 4, 8, false],
      [4, 2, 5, 8, 16, true],
      [11, 9, 6, 12, 24, false], // 11 x 5 x 3 tiles: not a multiple of the 32-tile block
    ];
    for (const [n, h, w, cin, cout, relu] of cases) {
      const seed = n * 1000 + h * 100 + cin + cout;
      const xv = seeded([n, h, w, cin], seed);
      const fv = seeded([3, 3, cin, cout], seed + 1);
      const bv = seeded([cout], seed + 2);
      const activation = relu ? 'relu' : 'linear';
      const want = await on('cpu', () => [
        tf.fused.conv2d({
          x: tf.tensor4d(xv, [n, h, w, cin]),
          filter: tf.tensor4d(fv, [3, 3, cin, cout]),
          bias: tf.tensor1d(bv),
          strides: 1,
          pad: 'same',
          activation,
        }),
      ]);
      const before = tf.memory().numTensors;
      const got = await on('wasm', () => [
        winogradConv3x3(
          tf.tensor4d(xv, [n, h, w, cin]),
          tf.tensor1d(winogradFilter(fv, cin, cout)),
          tf.tensor1d(bv),
          relu,
        ),
      ]);
      expect(tf.memory().numTensors).toBe(before);
      expect(got[0]!.length).toBe(n * h * w * cout);
      expectAllClose(got, want, 2e-6, `winograd ${n}x${h}x${w}x${cin}->${cout} ${activation}`);
      // with the 2x2 max-pooling in the same pass: the pooled direct convolution, to rounding, and the
      // kernel's own unpooled output max-pooled by tfjs, bit for bit
      const pooledWant = await on('cpu', () => [
        tf.maxPool(
          tf.fused.conv2d({
            x: tf.tensor4d(xv, [n, h, w, cin]),
            filter: tf.tensor4d(fv, [3, 3, cin, cout]),
            bias: tf.tensor1d(bv),
            strides: 1,
            pad: 'same',
            activation,
          }),
          2,
          2,
          'valid',
        ),
      ]);
      const u = winogradFilter(fv, cin, cout);
      const pooled = await on('wasm', () => [
        winogradConv3x3(tf.tensor4d(xv, [n, h, w, cin]), tf.tensor1d(u), tf.tensor1d(bv), relu, true),
      ]);
      const poolAfter = await on('wasm', () => [
        tf.maxPool(
          winogradConv3x3(tf.tensor4d(xv, [n, h, w, cin]), tf.tensor1d(u), tf.tensor1d(bv), relu),
          2,
          2,
          'valid',
        ),
      ]);
      expect(pooled[0]!.length).toBe(n * Math.floor(h / 2) * Math.floor(w / 2) * cout);
      expectBitEqual(pooled, poolAfter, `pooled winograd ${n}x${h}x${w}x${cin}->${cout} vs maxPool after`);
      expectAllClose(pooled, pooledWant, 2e-6, `pooled winograd ${n}x${h}x${w}x${cin}->${cout} ${activation}`);
    }
  });

  it('is a kernel of its own name on wasm only, and refuses filters and channels it does not fit', async () => {
    registerWinogradConv();
    expect(tf.getKernel(WINOGRAD_KERNEL_NAME, 'wasm')).toBeDefined();
    expect(tf.getKernel(WINOGRAD_KERNEL_NAME, 'cpu')).toBeUndefined();
    expect(tf.getKernel('FusedConv2D', 'wasm')?.kernelFunc).not.toBe(
      tf.getKernel(WINOGRAD_KERNEL_NAME, 'wasm')?.kernelFunc,
    );
    expect(winogradFits(64, 64)).toBe(true);
    expect(winogradFits(1, 64)).toBe(false);
    expect(winogradFits(64, 12)).toBe(false);
    expect(() => winogradFilter(new Float32Array(10), 4, 8)).toThrow(/3x3x4x8 filter has 288 values, got 10/);
    await tf.setBackend('wasm');
    expect(() =>
      tf.tidy(() => winogradConv3x3(tf.zeros([1, 4, 4, 2]), tf.zeros([16 * 2 * 8]), tf.zeros([8]), false)),
    ).toThrow(/bad shapes/);
  });
});

describe('first-layer 3x3 convolution + 2x2 max-pooling (inference only, SIMD)', () => {
  it('is wasm’s own fused conv2d + maxPool bit for bit, and matches cpu, for odd sizes, bias and ReLU', async () => {
    registerConv1MaxPool();
    expect(tf.getKernel(CONV1_MAX_POOL_KERNEL_NAME, 'cpu')).toBeUndefined();
    const cases: [number, number, number, number, boolean][] = [
      // n, h, w, cout, relu
      [3, 28, 28, 64, true],
      [2, 7, 5, 8, false],
      [1, 2, 3, 4, true],
    ];
    for (const [n, h, w, cout, relu] of cases) {
      const seed = n * 100 + h * 10 + w + cout;
      const xv = seeded([n, h, w, 1], seed, true);
      const fv = seeded([3, 3, 1, cout], seed + 1);
      const bv = seeded([cout], seed + 2);
      const activation = relu ? 'relu' : 'linear';
      const reference = () => [
        tf.maxPool(
          tf.fused.conv2d({
            x: tf.tensor4d(xv, [n, h, w, 1]),
            filter: tf.tensor4d(fv, [3, 3, 1, cout]),
            bias: tf.tensor1d(bv),
            strides: 1,
            pad: 'same',
            activation,
          }),
          2,
          2,
          'valid',
        ),
      ];
      const cpu = await on('cpu', reference);
      const xnnpack = await on('wasm', reference);
      const before = tf.memory().numTensors;
      const got = await on('wasm', () => [
        conv1MaxPool(tf.tensor4d(xv, [n, h, w, 1]), tf.tensor4d(fv, [3, 3, 1, cout]), tf.tensor1d(bv), relu),
      ]);
      expect(tf.memory().numTensors).toBe(before);
      expect(got[0]!.length).toBe(n * Math.floor(h / 2) * Math.floor(w / 2) * cout);
      expectBitEqual(got, xnnpack, `conv1 + max pool ${n}x${h}x${w} -> ${cout} ${activation} vs wasm`);
      expectAllClose(got, cpu, 1e-6, `conv1 + max pool ${n}x${h}x${w} -> ${cout} ${activation} vs cpu`);
    }
    await tf.setBackend('wasm');
    expect(() =>
      tf.tidy(() => conv1MaxPool(tf.zeros([1, 4, 4, 2]), tf.zeros([3, 3, 2, 4]), tf.zeros([4]), false)),
    ).toThrow(/bad shapes/);
  });
});
