import { readFile } from 'node:fs/promises';
import {
  DataError,
  loadClassFolders,
  loadLayout,
  sampleShape,
  z,
  type DatasetSpec,
  type LabeledSet,
  type Modality,
  type Rng,
  type SampleFileType,
  type SampleRef,
  type SampleShape,
} from '@fewshot/core/plugin';
import { DENSE_ENCODER_ID, MODALITY_ID } from './ids.js';

/** The files this modality reads, one sample each (messages call them `kind`). */
export const VECTOR_FILES: SampleFileType = {
  kind: 'vector files',
  extensions: ['.json', '.csv'],
  placeholder: '<.json or .csv files>',
};

/** `data.preprocess` of this modality (defaults apply to keys left out). */
export const vectorPreprocessSchema = z.strictObject({
  length: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(8)
    .describe('values per sample; a file with another count is an error'),
  normalize: z
    .enum(['none', 'unit', 'standardize'])
    .default('none')
    .describe("'unit': divide by the Euclidean norm; 'standardize': zero mean, unit variance per sample"),
});
export type VectorPreprocess = z.output<typeof vectorPreprocessSchema>;

/** `train.augment` (and `eval.tta.augment`) of this modality. */
export const vectorAugmentSchema = z.strictObject({
  noise: z
    .number()
    .min(0)
    .max(10)
    .default(0)
    .describe('standard deviation of Gaussian noise added to every value in training'),
});
export type VectorAugment = z.output<typeof vectorAugmentSchema>;

/**
 * Numeric vectors: one sample per `.json` file (an array of numbers) or `.csv` file (numbers separated
 * by commas, spaces or new lines), one folder per class (`<root>/<class>/<files>`).
 */
export class VectorModality implements Modality<VectorPreprocess, VectorAugment> {
  readonly id = MODALITY_ID;
  readonly description = 'numeric vectors, one sample per .json (array of numbers) or .csv file, one folder per class';
  /** Part of the decoded-data cache key: bump it whenever `decode` gives other values for the same file. */
  readonly cacheVersion = '1';
  readonly layouts = ['folder'];
  readonly defaultEncoder = DENSE_ENCODER_ID;
  readonly preprocessSchema = vectorPreprocessSchema;
  readonly augmentSchema = vectorAugmentSchema;

  sampleShape(pre: VectorPreprocess): SampleShape {
    return sampleShape([pre.length], ['features']);
  }

  load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, { folder: loadFolder }, spec);
  }

  async decode(ref: SampleRef, pre: VectorPreprocess): Promise<Float32Array> {
    let text: string;
    try {
      text = await readFile(ref.path, 'utf8');
    } catch (err) {
      throw new DataError(`cannot read ${ref.path}: ${(err as Error).message}`, { cause: err });
    }
    const values = parseVector(text, ref.path);
    if (values.length !== pre.length) {
      throw new DataError(`${ref.path} holds ${values.length} values, expected ${pre.length}`, {
        hints: ['every sample needs data.preprocess.length values'],
      });
    }
    return normalize(values, pre.normalize);
  }

  augment(sample: Float32Array, _pre: VectorPreprocess, options: VectorAugment, rng: Rng): void {
    if (options.noise === 0) return;
    for (let i = 0; i < sample.length; i++) sample[i] = sample[i]! + options.noise * rng.normal();
  }
}

/** The numbers of one sample file (JSON array or CSV); a DataError naming `file` when it holds anything else. */
export function parseVector(text: string, file: string): Float32Array {
  let values: unknown[];
  if (file.toLowerCase().endsWith('.json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DataError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!Array.isArray(parsed)) throw new DataError(`${file} must hold a JSON array of numbers`);
    values = parsed;
  } else {
    values = text
      .split(/[\s,]+/)
      .filter((t) => t !== '')
      .map((t) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : t));
  }
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0)
    throw new DataError(
      `${file}: value ${bad + 1} is not a finite number (${JSON.stringify(values[bad])?.slice(0, 40)})`,
    );
  if (values.length === 0) throw new DataError(`${file} holds no numbers`);
  return Float32Array.from(values as number[]);
}

function normalize(values: Float32Array, how: VectorPreprocess['normalize']): Float32Array {
  if (how === 'unit') {
    const norm = Math.hypot(...values);
    if (norm > 0) for (let i = 0; i < values.length; i++) values[i] = values[i]! / norm;
  } else if (how === 'standardize') {
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    for (let i = 0; i < values.length; i++) values[i] = sd > 0 ? (values[i]! - mean) / sd : 0;
  }
  return values;
}

/**
 * The `folder` layout: `<root>/<class>/<sample files>`, with core's shared class-folder loader (which
 * also applies `include` / `exclude` and reports a missing or empty folder as a DataError).
 */
function loadFolder(spec: DatasetSpec): Promise<LabeledSet> {
  return loadClassFolders(spec, { files: VECTOR_FILES, depth: 1 });
}
