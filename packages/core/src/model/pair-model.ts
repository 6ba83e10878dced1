import { tf } from '../tfjs.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { buildHead, headOutput, pairLoss, type HeadKind } from './heads.js';
import { loadLayersModel, saveLayersModel, writeAtomic } from './model-io.js';
import { foldBatchNorm } from './fold-batch-norm.js';
import { ModelError } from '../errors.js';
import type { SampleStore } from '../data/sample-store.js';
import type { SampleShape } from '../modality.js';

/** What fewshot.json in a model folder records, besides the two tfjs models. */
export interface PairModelMeta {
  readonly format: 'fewshot-pair-model';
  readonly version: 1;
  /** `siamese`: trained shared encoder + head; `naive`: the lecture's baseline; `pixel-nn`: raw-input nearest neighbour. */
  readonly kind: 'siamese' | 'naive' | 'pixel-nn';
  readonly head: HeadKind;
  readonly encoder: string;
  readonly modality: string;
  readonly preprocess: Readonly<Record<string, unknown>>;
  /**
   * Dims of the encoder's input (without the batch axis). Models saved before named sample shapes have
   * [h, w, c] (a video model [T*S, S, C]); rows of a store are reshaped to these dims when embedded.
   */
  readonly inputShape: readonly number[];
  /**
   * The modality's named shape of one decoded sample (absent in models saved before named sample
   * shapes); its dims are `inputShape` in models that have it.
   */
  readonly sampleShape?: SampleShape;
  readonly embeddingSize: number;
  readonly margin: number;
  /** Plugins needed to decode inputs for this model. */
  readonly plugins: readonly string[];
  /** Backend the model was trained on. */
  readonly backend: string;
  readonly createdAt: string;
}

export const MODEL_META_FILE = 'fewshot.json';

/**
 * A pair model: an encoder that embeds one input and a head that scores two embeddings. Siamese
 * models share the encoder between both inputs; the naive baseline's encoder only flattens, so all
 * its weights are in the pair head; pixel nearest neighbour has no weights at all.
 */
export class PairModel {
  constructor(
    readonly encoder: tf.LayersModel,
    readonly head: tf.LayersModel,
    readonly meta: PairModelMeta,
  ) {}

  /** Kind shown in evaluation reports. */
  get kind(): string {
    return this.meta.kind;
  }

  /** Raw inputs, flattened: the encoder of the naive baseline and of pixel nearest neighbour. */
  static flattenEncoder(shape: SampleShape): tf.LayersModel {
    return tf.sequential({
      name: 'encoder',
      layers: [tf.layers.flatten({ inputShape: [...shape.dims], name: 'flatten' })],
    });
  }

  /**
   * Dims of one encoder input (without the batch axis), from the encoder itself: what a store's flat
   * rows are reshaped to. Throws ModelError when the encoder's input is not fully fixed.
   */
  get inputDims(): readonly number[] {
    const shape = this.encoder.inputs[0]!.shape.slice(1);
    if (!shape.every((d): d is number => typeof d === 'number' && d > 0)) {
      throw new ModelError(`the encoder of this model has an input of unfixed shape [${shape.join(', ')}]`);
    }
    return shape;
  }

  /**
   * The rows `indices` of a store as one encoder input [n, ...inputDims]: each flat row-major row is
   * reshaped to the model's own input dims, so a model saved for [T*S, S, C] inputs embeds rows a store
   * holds as [T, S, S, C] (the values are laid out the same way). Throws ModelError when the sizes differ.
   */
  inputBatch(store: SampleStore, indices: readonly number[]): tf.Tensor {
    const dims = this.inputDims;
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== store.sampleSize) {
      throw new ModelError(
        `the model takes inputs of ${dims.join('x')} = ${size} values, but the data's samples are ${store.shape.dims.join('x')} = ${store.sampleSize} values`,
        {
          hints: ['decode the data with the preprocessing the model was trained with (its fewshot.json)'],
        },
      );
    }
    return tf.tensor(store.batchArray(indices), [indices.length, ...dims]);
  }

  static create(
    encoder: tf.LayersModel,
    head: HeadKind,
    meta: Omit<PairModelMeta, 'format' | 'version' | 'embeddingSize' | 'head' | 'createdAt'>,
    seed: number,
    headOptions = {},
  ): PairModel {
    const outShape = encoder.outputs[0]!.shape;
    if (outShape.length !== 2 || typeof outShape[1] !== 'number') {
      throw new ModelError(`encoder '${meta.encoder}' must output [batch, d] embeddings, got [${outShape.join(', ')}]`);
    }
    const embeddingSize = outShape[1];
    return new PairModel(encoder, buildHead(head, embeddingSize, seed, headOptions), {
      ...meta,
      format: 'fewshot-pair-model',
      version: 1,
      head,
      embeddingSize,
      createdAt: new Date().toISOString(),
    });
  }

  /** Higher means "more likely the same class" (probability, or negated distance). */
  get scoreIsDistance(): boolean {
    return headOutput(this.meta.head) === 'distance';
  }

  get trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.head.trainableWeights].map(
      (w) => (w as unknown as { val: tf.Variable }).val,
    );
  }

  get hasWeights(): boolean {
    return this.encoder.trainableWeights.length + this.head.trainableWeights.length > 0;
  }

  /** Loss of a batch `x` = [a_1..a_n, b_1..b_n] (one encoder pass for both sides) with labels y [n]. */
  pairLossOf(x: tf.Tensor, y: tf.Tensor1D, training: boolean): tf.Scalar {
    return tf.tidy(() => {
      const e = this.encoder.apply(x, { training }) as tf.Tensor2D;
      const n = y.shape[0];
      const [ea, eb] = tf.split(e, [n, n], 0) as [tf.Tensor2D, tf.Tensor2D];
      const out = this.head.apply([ea, eb], { training }) as tf.Tensor;
      return pairLoss(this.meta.head, out, y, this.meta.margin);
    });
  }

  /** Embed rows of a store in batches; returns [indices.length * embeddingSize]. */
  embed(store: SampleStore, indices: readonly number[], batchSize = 256): Float32Array {
    const d = this.meta.embeddingSize;
    const out = new Float32Array(indices.length * d);
    // batch norm folded into the convolutions: the same function in eval mode, fewer passes
    const folded = foldBatchNorm(this.encoder);
    const encoder = folded ?? this.encoder;
    try {
      for (let i = 0; i < indices.length; i += batchSize) {
        const part = indices.slice(i, i + batchSize);
        // the tensor leaves tidy, not its values: tidy would walk every value of a returned array
        const e = tf.tidy(() => encoder.apply(this.inputBatch(store, part), { training: false }) as tf.Tensor);
        try {
          out.set(e.dataSync() as Float32Array, i * d);
        } finally {
          e.dispose();
        }
      }
    } finally {
      folded?.dispose();
    }
    return out;
  }

  /**
   * Scores of many pairs of embeddings: `emb` holds rows of size embeddingSize; pairs are (left[k], right[k]).
   * Returns similarity scores (higher = more alike): probabilities, or negated distances.
   */
  scorePairs(emb: Float32Array, left: Int32Array, right: Int32Array, batchSize?: number): Float32Array {
    const d = this.meta.embeddingSize;
    // bound the gathered pairs to ~64 MB per side, whatever the embedding size
    batchSize ??= Math.max(64, Math.floor(16_000_000 / d));
    const n = emb.length / d;
    const out = new Float32Array(left.length);
    const sign = this.scoreIsDistance ? -1 : 1;
    // Pair rows are copied in JS: wasm's Gather runs at ~1 us per element (14 s for 1,451 x 11,025).
    const bufA = new Float32Array(Math.min(batchSize, left.length) * d);
    const bufB = new Float32Array(bufA.length);
    for (let i = 0; i < left.length; i += batchSize) {
      const m = Math.min(batchSize, left.length - i);
      for (let k = 0; k < m; k++) {
        const l = left[i + k]!;
        const r = right[i + k]!;
        if (l < 0 || l >= n || r < 0 || r >= n)
          throw new RangeError(`scorePairs: row index out of range (${l}, ${r}) for ${n} embeddings`);
        bufA.set(emb.subarray(l * d, (l + 1) * d), k * d);
        bufB.set(emb.subarray(r * d, (r + 1) * d), k * d);
      }
      const s = tf.tidy(() => {
        const a = tf.tensor2d(bufA.subarray(0, m * d), [m, d]);
        const b = tf.tensor2d(bufB.subarray(0, m * d), [m, d]);
        return (this.head.apply([a, b], { training: false }) as tf.Tensor).dataSync() as Float32Array;
      });
      for (let k = 0; k < s.length; k++) out[i + k] = sign * s[k]!;
    }
    return out;
  }

  async save(dir: string, extra: Record<string, string | Uint8Array> = {}): Promise<void> {
    await saveLayersModel(this.encoder, path.join(dir, 'encoder'));
    await saveLayersModel(this.head, path.join(dir, 'head'));
    for (const [name, content] of Object.entries(extra)) await writeAtomic(path.join(dir, name), content);
    await writeAtomic(path.join(dir, MODEL_META_FILE), JSON.stringify(this.meta, null, 2) + '\n');
  }

  static async readMeta(dir: string): Promise<PairModelMeta> {
    const { file, raw } = await readModelManifest(dir);
    return PairModel.checkMeta(raw, file, dir);
  }

  /** Check that the parsed fewshot.json `raw` of the folder `dir` describes a pair model of this version. */
  static checkMeta(raw: { format?: unknown; version?: unknown }, file: string, dir: string): PairModelMeta {
    if (raw.format === 'fewshot-ensemble') {
      throw new ModelError(`${file}: this folder is an ensemble (model.ensemble), and a single model is needed here`, {
        hints: [`use one of its members, e.g. ${path.join(dir, 'member-1')}`],
      });
    }
    if (raw.format !== 'fewshot-pair-model')
      throw new ModelError(`${file}: unknown model format '${String(raw.format)}'`);
    if (raw.version !== 1)
      throw new ModelError(`${file}: model format version ${String(raw.version)} is not supported by this fewshot`);
    return raw as PairModelMeta;
  }

  static async load(dir: string): Promise<PairModel> {
    const meta = await PairModel.readMeta(dir);
    const encoder = await loadLayersModel(path.join(dir, 'encoder'));
    const head = await loadLayersModel(path.join(dir, 'head'));
    return new PairModel(encoder, head, meta);
  }

  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}

/** The parsed fewshot.json of a model folder (any format), with errors that say what is wrong with the folder. */
export async function readModelManifest(
  dir: string,
): Promise<{ file: string; raw: { format?: unknown; version?: unknown } }> {
  const file = path.join(dir, MODEL_META_FILE);
  try {
    return { file, raw: JSON.parse(await fs.readFile(file, 'utf8')) as { format?: unknown; version?: unknown } };
  } catch (cause) {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelError(
      missing ? `not a fewshot model folder: ${file} is missing` : `cannot read ${file}: ${(cause as Error).message}`,
      {
        cause,
        hints: missing ? ['a model folder is what `fewshot train ... --out DIR` writes'] : [],
      },
    );
  }
}

/**
 * The trained encoder of a pair-model folder (without its head), with the folder's fewshot.json: for
 * encoders that start from a trained model (a video encoder's per-frame CNN). The caller owns it.
 */
export async function loadPairEncoder(dir: string): Promise<{ encoder: tf.LayersModel; meta: PairModelMeta }> {
  const meta = await PairModel.readMeta(dir);
  const encoder = await loadLayersModel(path.join(dir, 'encoder'));
  return { encoder, meta };
}
