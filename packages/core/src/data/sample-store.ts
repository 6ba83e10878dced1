import * as tf from '@tensorflow/tfjs';
import { LabeledSet } from '../labeled-set.js';
import type { Modality, Preprocess } from '../modality.js';
import { DataError } from '../errors.js';
import type { ProgressSink } from '../progress.js';

export interface DecodeOptions {
  readonly onBadSample?: 'error' | 'skip';
  readonly progress?: ProgressSink;
  readonly label?: string;
  /** Files decoded at once (I/O overlaps decoding). */
  readonly concurrency?: number;
}

export interface DecodedSet {
  /** The set, without skipped samples; `store` row i holds `set.samples[i]`. */
  readonly set: LabeledSet;
  readonly store: SampleStore;
  readonly skipped: readonly { path: string; reason: string }[];
}

/** Decoded samples of one set, one row each, in one contiguous Float32Array. */
export class SampleStore {
  readonly sampleSize: number;

  constructor(readonly shape: readonly [number, number, number], readonly data: Float32Array) {
    this.sampleSize = shape[0] * shape[1] * shape[2];
    if (data.length % this.sampleSize !== 0) throw new RangeError('SampleStore data is not a whole number of samples');
  }

  get count(): number {
    return this.data.length / this.sampleSize;
  }

  row(i: number): Float32Array {
    return this.data.subarray(i * this.sampleSize, (i + 1) * this.sampleSize);
  }

  /** Copy the given rows into a new [n, h, w, c] tensor (`transform` may change each copy in place). */
  batch(indices: readonly number[], transform?: (sample: Float32Array, position: number) => void): tf.Tensor4D {
    const size = this.sampleSize;
    const buf = new Float32Array(indices.length * size);
    indices.forEach((i, k) => {
      buf.set(this.row(i), k * size);
      if (transform) transform(buf.subarray(k * size, (k + 1) * size), k);
    });
    return tf.tensor4d(buf, [indices.length, this.shape[0], this.shape[1], this.shape[2]]);
  }

  /** Decode every sample of `set` with the modality. */
  static async decode(set: LabeledSet, modality: Modality, pre: Preprocess, options: DecodeOptions = {}): Promise<DecodedSet> {
    const shape = modality.inputShape(pre);
    const size = shape[0] * shape[1] * shape[2];
    const rows: (Float32Array | undefined)[] = new Array(set.size);
    const skipped: { path: string; reason: string }[] = [];
    const task = options.progress?.start(options.label ?? `decoding ${set.source}`, set.size, 'files');
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < set.size) {
        const i = next++;
        const ref = set.samples[i]!;
        try {
          const x = await modality.decode(ref.path, pre);
          if (x.length !== size) throw new DataError(`decoded ${ref.path} to ${x.length} values, expected ${size} (${shape.join('x')})`);
          rows[i] = x;
        } catch (err) {
          if (options.onBadSample !== 'skip') throw err;
          skipped.push({ path: ref.path, reason: err instanceof Error ? err.message : String(err) });
        }
        task?.tick();
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 16 }, worker));
    task?.done();
    const keep = set.samples.filter((_, i) => rows[i] !== undefined);
    const data = new Float32Array(keep.length * size);
    let k = 0;
    rows.forEach((r) => {
      if (r) data.set(r, size * k++);
    });
    const kept = skipped.length ? new LabeledSet(keep, set.source) : set;
    return { set: kept, store: new SampleStore(shape, data), skipped };
  }
}
