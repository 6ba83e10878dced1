/**
 * fewshot's own wasm SIMD128 kernels (packages/core/kernels/fewshot-kernels.c, shipped built as
 * kernels/fewshot-kernels.wasm; `npm run build:kernels` rebuilds it). The module imports the tfjs wasm
 * backend's own memory, so it reads and writes tensors in place: arguments are byte offsets of tensors
 * in that memory. One instance per backend memory (each worker thread has its own backend).
 *
 * When the module or the backend's memory cannot be had (another tfjs-backend-wasm build, a missing
 * file), {@link simdKernelsFor} returns null and callers keep their TypeScript paths.
 */
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';

/** The few WebAssembly globals used here (the project's lib is ES2022 without DOM, which declares them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmModule {
  readonly __brand?: 'WebAssembly.Module';
}
interface WasmGlobal {
  Memory: abstract new (...args: never[]) => WasmMemory;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;

/** The exports of fewshot-kernels.wasm (pointers are byte offsets into the backend's memory). */
export interface SimdKernelExports {
  reduce_leading(src: number, outer: number, inner: number, dst: number, divisor: number): void;
  max_pool_grad(
    x: number,
    dy: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    c: number,
    outH: number,
    outW: number,
    strideH: number,
    strideW: number,
    dilH: number,
    dilW: number,
    effH: number,
    effW: number,
    padTop: number,
    padLeft: number,
  ): void;
  conv_filter_grad_small(
    x: number,
    dy: number,
    dw: number,
    part: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    fh: number,
    fw: number,
    padTop: number,
    padLeft: number,
  ): void;
  conv_input_grad_small(
    dy: number,
    w: number,
    dx: number,
    batch: number,
    inH: number,
    inW: number,
    inC: number,
    outH: number,
    outW: number,
    outC: number,
    fh: number,
    fw: number,
    padTop: number,
    padLeft: number,
  ): void;
  centered_dot(x: number, mean: number, dy: number, out: number, outer: number, c: number, acc: number): void;
  channel_scale(x: number, f: number, out: number, outer: number, c: number): void;
  batch_norm(
    x: number,
    mean: number,
    variance: number,
    offset: number,
    scale: number,
    out: number,
    size: number,
    c: number,
    eps: number,
    nf: number,
  ): void;
  winograd_conv3x3(
    x: number,
    u: number,
    bias: number,
    y: number,
    scratch: number,
    n: number,
    h: number,
    w: number,
    cin: number,
    cout: number,
    relu: number,
    pool: number,
  ): void;
  conv3x3_c1_maxpool2(
    x: number,
    filter: number,
    bias: number,
    y: number,
    n: number,
    h: number,
    w: number,
    cout: number,
    relu: number,
  ): void;
}

/** The part of tfjs-backend-wasm's BackendWasm the kernels use. */
export interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  incRef(dataId: tf.DataId): void;
  wasm: { asm?: { memory?: WasmMemory }; _malloc(bytes: number): number; _free(ptr: number): void };
}

export interface SimdKernels {
  readonly exports: SimdKernelExports;
  /** Byte offset of a tensor in the backend's memory. */
  offset(info: tf.TensorInfo): number;
  /** Runs `fn` with `bytes` of scratch memory from the backend's allocator (freed afterwards). */
  withScratch<T>(bytes: number, fn: (ptr: number) => T): T;
}

/** Where the built module lives, from dist/backend/ or src/backend/. */
export const SIMD_KERNELS_URL = new URL('../../kernels/fewshot-kernels.wasm', import.meta.url);

let compiled: WasmModule | null | undefined;
const instances = new WeakMap<WasmMemory, SimdKernels>();
let disabled = process.env.FEWSHOT_SIMD_KERNELS === '0';

/** Turns the SIMD kernels off (true) or on again (tests compare both paths). */
export function setSimdKernelsDisabled(off: boolean): void {
  disabled = off;
}

function compile(): WasmModule | null {
  if (compiled === undefined) {
    try {
      compiled = new WA.Module(readFileSync(SIMD_KERNELS_URL));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

export function isWasmBackendInternals(backend: unknown): backend is WasmBackendInternals {
  const b = backend as Partial<WasmBackendInternals> | null;
  return (
    b != null &&
    typeof b.makeOutput === 'function' &&
    typeof b.typedArrayFromHeap === 'function' &&
    b.dataIdMap != null &&
    b.wasm != null
  );
}

/** The SIMD kernels bound to this wasm backend's memory, or null when they cannot be used. */
export function simdKernelsFor(backend: unknown): SimdKernels | null {
  if (disabled || !isWasmBackendInternals(backend)) return null;
  const memory = backend.wasm.asm?.memory;
  if (!(memory instanceof WA.Memory)) return null;
  const known = instances.get(memory);
  if (known) return known;
  const mod = compile();
  if (!mod) return null;
  const exports = new WA.Instance(mod, { env: { memory } }).exports as unknown as SimdKernelExports;
  const kernels: SimdKernels = {
    exports,
    offset(info) {
      const data = backend.dataIdMap.get(info.dataId);
      if (!data) throw new Error('SIMD kernel: tensor data is not on this wasm backend');
      return data.memoryOffset;
    },
    withScratch(bytes, fn) {
      const ptr = backend.wasm._malloc(Math.max(16, bytes));
      try {
        return fn(ptr);
      } finally {
        backend.wasm._free(ptr);
      }
    },
  };
  instances.set(memory, kernels);
  return kernels;
}
