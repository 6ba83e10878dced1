import { tf } from '../tfjs.js';
import { LabeledSet } from '../labeled-set.js';
import { describeShape, shapeSize, type Modality, type Preprocess, type SampleShape } from '../modality.js';
import { DataError } from '../errors.js';
import type { ProgressSink } from '../progress.js';

/**
 * How a store holds its rows:
 * - `float32`: exactly as decoded (4 bytes a value).
 * - `uint8`: one byte a value, `q = round(clamp(x, 0, 1) * 255)`, read back as `q / 255`: values in [0, 1]
 *   come back within 0.5/255 (plus float rounding); values outside [0, 1] are clamped (lossy).
 * - `auto` (default): `uint8` when the modality says its samples come from 8-bit sources
 *   (`storesAsUint8(pre)`: images, video frames) and every decoded value lies in [0, 1], otherwise
 *   `float32` with the exact decoded values. For 8-bit sources the <= 0.5/255 error of the 8-bit form is
 *   below what the source held before resizing; other data (audio features, even when they lie in
 *   [0, 1]; images with `normalize: none`) stays exact.
 */
export type SampleStorage = 'auto' | 'float32' | 'uint8';

/** Element type of a store's rows. */
export type SampleDtype = 'float32' | 'uint8';

/** Step of the 8-bit form: stored byte q stands for q * UINT8_SCALE. */
export const UINT8_SCALE = 1 / 255;

export interface DecodeOptions {
  readonly onBadSample?: 'error' | 'skip';
  readonly progress?: ProgressSink;
  readonly label?: string;
  /**
   * Decodes in flight at once (default 128): I/O overlaps decoding, and a modality that batches work
   * (the video plugin hands up to 64 clips to one ffmpeg process) gets full batches.
   */
  readonly concurrency?: number;
  /** How the rows are held (default `auto`, see SampleStorage). */
  readonly storage?: SampleStorage;
}

/** One sample passed over with `onBadSample: skip`. */
export interface SkippedSample {
  readonly path: string;
  readonly reason: string;
}

export interface DecodedSet {
  /** The set, without skipped samples; `store` row i holds `set.samples[i]`. */
  readonly set: LabeledSet;
  readonly store: SampleStore;
  /** Skipped samples, in the order of the input set. */
  readonly skipped: readonly SkippedSample[];
}

/**
 * Decoded samples of one set, one row each, in one contiguous array: Float32Array, or Uint8Array of
 * values quantised to 1/255 steps (see SampleStorage). Reads (`row`, `copyRow`, `batch`) always give
 * float32 values.
 */
export class SampleStore {
  readonly sampleSize: number;
  readonly dtype: SampleDtype;
  /** Value of one step of a uint8 store (1/255); 1 for float32. */
  readonly scale: number;
  /** uint8 byte -> float32 value (uint8 stores only). */
  private readonly lut: Float32Array | undefined;

  constructor(
    readonly shape: SampleShape,
    readonly data: Float32Array | Uint8Array,
  ) {
    if (!shape || !Array.isArray(shape.dims))
      throw new TypeError('SampleStore needs a SampleShape { dims, names } (see sampleShape()), not a list of dims');
    this.sampleSize = shapeSize(shape);
    if (!(this.sampleSize > 0) || data.length % this.sampleSize !== 0)
      throw new RangeError('SampleStore data is not a whole number of samples');
    if (data instanceof Uint8Array) {
      this.dtype = 'uint8';
      this.scale = UINT8_SCALE;
      this.lut = new Float32Array(256);
      for (let q = 0; q < 256; q++) this.lut[q] = q / 255;
    } else {
      this.dtype = 'float32';
      this.scale = 1;
      this.lut = undefined;
    }
  }

  get count(): number {
    return this.data.length / this.sampleSize;
  }

  /** Bytes held by the rows. */
  get byteLength(): number {
    return this.data.byteLength;
  }

  /**
   * Row i as float32 values: a view into the store when it is float32 (do not write into it), a fresh
   * dequantised copy when it is uint8. Prefer `copyRow` or `batch` in loops.
   */
  row(i: number): Float32Array {
    this.check(i);
    if (this.data instanceof Float32Array) return this.data.subarray(i * this.sampleSize, (i + 1) * this.sampleSize);
    return this.copyRow(i, new Float32Array(this.sampleSize));
  }

  /** Write row i as float32 values into `out` at `offset`; returns `out`. */
  copyRow(i: number, out: Float32Array, offset = 0): Float32Array {
    this.check(i);
    const size = this.sampleSize;
    if (offset < 0 || offset + size > out.length)
      throw new RangeError(`copyRow: ${size} values do not fit at offset ${offset} of ${out.length}`);
    const src = i * size;
    const data = this.data;
    if (data instanceof Float32Array) {
      out.set(data.subarray(src, src + size), offset);
    } else {
      dequantise(data, src, out, offset, size, this.lut!);
    }
    return out;
  }

  /** Copy the given rows into a new [n, ...shape.dims] tensor (`transform` may change each copy in place). */
  batch(indices: readonly number[], transform?: (sample: Float32Array, position: number) => void): tf.Tensor {
    return tf.tensor(this.batchArray(indices, transform), [indices.length, ...this.shape.dims]);
  }

  /** The rows of `batch` as one Float32Array (for gradient workers, which build their own tensors). */
  batchArray(indices: readonly number[], transform?: (sample: Float32Array, position: number) => void): Float32Array {
    const size = this.sampleSize;
    const buf = new Float32Array(indices.length * size);
    indices.forEach((i, k) => {
      this.copyRow(i, buf, k * size);
      if (transform) transform(buf.subarray(k * size, (k + 1) * size), k);
    });
    return buf;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i * this.sampleSize >= this.data.length)
      throw new RangeError(`SampleStore row ${i} is out of range (0..${this.count - 1})`);
  }

  /**
   * Decode every sample of `set` with the modality. Each decoded row goes straight into one array of
   * `set.size` rows (quantised on arrival when uint8), so the decoded set is never held twice; skipped
   * rows are compacted away at the end. With `storage: auto` and a modality that `storesAsUint8`, the
   * first value outside [0, 1] switches the store to float32, and the rows already quantised are decoded
   * again so that float32 stores are exact; a modality that does not is stored as float32 from the start.
   */
  static async decode(
    set: LabeledSet,
    modality: Modality,
    pre: Preprocess,
    options: DecodeOptions = {},
  ): Promise<DecodedSet> {
    const shape = modality.sampleShape(pre);
    const size = shapeSize(shape);
    const n = set.size;
    const storage = effectiveStorage(modality, pre, options.storage);
    let u8: Uint8Array | undefined = storage === 'float32' ? undefined : new Uint8Array(n * size);
    let f32: Float32Array | undefined = storage === 'float32' ? new Float32Array(n * size) : undefined;
    const stored = new Uint8Array(n);
    const failed = new Map<number, string>();
    let redo: number[] = [];

    const put = (i: number, x: Float32Array): void => {
      const o = i * size;
      if (f32) f32.set(x, o);
      else if (storage === 'uint8') quantiseClamped(x, u8!, o);
      else if (!quantiseUnit(x, u8!, o)) {
        // auto, and a value outside [0, 1]: hold exact float32 values from now on
        u8 = undefined;
        f32 = new Float32Array(n * size);
        redo = [];
        for (let j = 0; j < n; j++) if (stored[j]) redo.push(j);
        f32.set(x, o);
      }
      stored[i] = 1;
    };
    const decodeOne = async (i: number): Promise<void> => {
      const ref = set.samples[i]!;
      try {
        const x = await modality.decode(ref, pre);
        if (x.length !== size)
          throw new DataError(`decoded ${ref.path} to ${x.length} values, expected ${size} (${describeShape(shape)})`);
        put(i, x);
      } catch (err) {
        if (options.onBadSample !== 'skip') throw err;
        failed.set(i, err instanceof Error ? err.message : String(err));
      }
    };

    const concurrency = Math.max(1, options.concurrency ?? 128);
    const task = options.progress?.start(options.label ?? `decoding ${set.source}`, n, 'files');
    await pool(n, concurrency, async (i) => {
      await decodeOne(i);
      task?.tick();
    });
    if (redo.length > 0) {
      const again = redo;
      redo = [];
      await pool(again.length, concurrency, (k) => decodeOne(again[k]!));
    }
    task?.done();

    let data: Float32Array | Uint8Array = f32 ?? u8!;
    const skipped: SkippedSample[] = [];
    let kept = set;
    if (failed.size > 0) {
      const keep = [];
      let k = 0;
      for (let i = 0; i < n; i++) {
        const reason = failed.get(i);
        if (reason !== undefined) {
          skipped.push({ path: set.samples[i]!.path, reason });
          continue;
        }
        if (k !== i) data.copyWithin(k * size, i * size, (i + 1) * size);
        keep.push(set.samples[i]!);
        k++;
      }
      data = data.subarray(0, k * size);
      kept = new LabeledSet(keep, set.source);
    }
    return { set: kept, store: new SampleStore(shape, data), skipped };
  }
}

/**
 * The storage a decode uses: `auto` becomes `float32` for a modality that does not say its samples may
 * be quantised (`storesAsUint8`), and stays `auto` (uint8 when every value is in [0, 1]) for one that does.
 */
export function effectiveStorage(modality: Modality, pre: Preprocess, storage: SampleStorage = 'auto'): SampleStorage {
  if (storage !== 'auto') return storage;
  return modality.storesAsUint8?.(pre) === true ? 'auto' : 'float32';
}

/** Run `fn(0..n-1)` with at most `concurrency` calls in flight. */
async function pool(n: number, concurrency: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

/** out[at + j] = lut[data[from + j]] for j < n (a small function of its own, so that it is optimised alone). */
function dequantise(data: Uint8Array, from: number, out: Float32Array, at: number, n: number, lut: Float32Array): void {
  for (let j = 0; j < n; j++) out[at + j] = lut[data[from + j]!]!;
}

/** Quantise `x` into `out` at `offset`; false (leaving the row partly written) at the first value outside [0, 1] or NaN. */
function quantiseUnit(x: Float32Array, out: Uint8Array, offset: number): boolean {
  for (let j = 0; j < x.length; j++) {
    const v = x[j]!;
    if (!(v >= 0 && v <= 1)) return false;
    out[offset + j] = (v * 255 + 0.5) | 0;
  }
  return true;
}

/** Quantise `x` into `out` at `offset`, clamping to [0, 1] (NaN -> 0). */
function quantiseClamped(x: Float32Array, out: Uint8Array, offset: number): void {
  for (let j = 0; j < x.length; j++) {
    const v = x[j]!;
    out[offset + j] = v > 0 ? (v < 1 ? (v * 255 + 0.5) | 0 : 255) : 0;
  }
}
