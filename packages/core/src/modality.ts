import type { z } from 'zod';
import { ConfigError } from './errors.js';
import type { LabeledSet, SampleRef } from './labeled-set.js';
import type { Rng } from './rng.js';
import type { DecodedSet } from './data/sample-store.js';

/** Where and how to find one split of a data set. Paths are absolute by the time a plugin sees them. */
export interface DatasetSpec {
  /** Config path of this spec for messages, e.g. `data.train`. */
  readonly name: string;
  /** Absolute path of the data set root (folder). */
  readonly path: string;
  /** Layout id understood by the modality (`omniglot`, `folder`, ...). */
  readonly layout: string;
  /** Only these top-level groups (Omniglot: alphabets; folder layout: classes). */
  readonly include?: readonly string[];
  /** All but these top-level groups. */
  readonly exclude?: readonly string[];
  /** Layout-specific options, validated by the modality. */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * Preprocessing settings as core holds them without knowing the modality (a modality's own methods get
 * its parsed type `P`).
 */
export type Preprocess = Readonly<Record<string, unknown>>;

/** What `load` reports about samples it passed over (with `onBadSample: skip`). */
export interface LoadReport {
  readonly skipped: readonly { path: string; reason: string }[];
}

/** Name of one axis of a decoded sample. */
export type DimName = 'time' | 'height' | 'width' | 'channels' | 'frequency' | 'features' | (string & {});

/** Shape of one decoded sample, outermost axis first; `dims` row-major (last axis fastest). */
export interface SampleShape {
  readonly dims: readonly number[];
  readonly names: readonly DimName[];
}

/** A SampleShape, checked: as many names as dims, every dim a positive integer. Throws RangeError otherwise. */
export function sampleShape(dims: readonly number[], names: readonly DimName[]): SampleShape {
  if (dims.length === 0) throw new RangeError('a sample shape needs at least one dimension');
  if (dims.length !== names.length)
    throw new RangeError(
      `a sample shape of ${dims.length} dims [${dims.join(', ')}] needs as many names, got ${names.length} (${names.join(', ')})`,
    );
  dims.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1)
      throw new RangeError(`dimension '${names[i]}' of a sample shape must be a positive integer, got ${d}`);
  });
  return Object.freeze({ dims: Object.freeze([...dims]), names: Object.freeze([...names]) });
}

/** Values in one sample of `shape` (the product of its dims). */
export function shapeSize(shape: SampleShape): number {
  return shape.dims.reduce((a, b) => a * b, 1);
}

/** `8x28x28x1 (time, height, width, channels)`, for messages. */
export function describeShape(shape: SampleShape): string {
  return `${shape.dims.join('x')} (${shape.names.join(', ')})`;
}

/**
 * A modality plugin: everything that differs between images, audio and video. The core owns the loop
 * (sampling, models, training, evaluation); a modality finds samples, decodes them to fixed-shape
 * arrays and may augment them. `P` is its parsed `data.preprocess`, `A` its parsed `train.augment`:
 * core validates both with the modality's schemas and hands every method the typed objects.
 */
export const Modality = Symbol.for('fewshot.Modality');
export interface Modality<P extends object = Record<string, unknown>, A extends object = Record<string, unknown>> {
  /** Id used in experiment YAML (`modality: image`). */
  readonly id: string;
  readonly description: string;
  /**
   * Version of what `decode` produces, part of the decoded-data cache key: change it whenever the
   * decoder's output changes for the same file and settings, so old cache entries are not reused.
   */
  readonly cacheVersion?: string;
  /** Data set layouts `load` understands; the first is the default. */
  readonly layouts: readonly string[];
  /** Encoder used when the config names none. */
  readonly defaultEncoder: string;
  /** Schema of `data.preprocess` (with defaults); core parses it and hands P to every method. */
  readonly preprocessSchema: z.ZodType<P>;
  /**
   * Schema of `train.augment` (and `eval.tta.augment`), with defaults; validated when the experiment
   * opens, so a typo is a ConfigError with file:line:col before any decoding. Absent: augment must be empty.
   */
  readonly augmentSchema?: z.ZodType<A>;
  /** Named shape of one decoded sample (image [height, width, channels]; video [time, height, width, channels]...). */
  sampleShape(pre: P): SampleShape;
  /**
   * Whether decoded values may be stored quantised to 1/255 steps when they lie in [0, 1] (8-bit sources
   * such as images); default false: data that merely lies in [0, 1] is never quantised silently.
   */
  storesAsUint8?(pre: P): boolean;
  /** Find the labelled samples of one split. Throws DataError for a missing or empty folder. */
  load(spec: DatasetSpec): Promise<LabeledSet>;
  /**
   * Decode one sample (`ref.path` is its file; a loader may put several samples in one file and say
   * which one in `ref.id` / `ref.attrs`) to a Float32Array of shapeSize(sampleShape(pre)) values,
   * row-major. Throws DataError naming the file when it cannot be decoded.
   */
  decode(ref: SampleRef, pre: P): Promise<Float32Array>;
  /** Optional training-time augmentation of one decoded sample, in place, from the given Rng. */
  augment?(sample: Float32Array, pre: P, options: A, rng: Rng): void;
  /**
   * Optional class augmentation of the decoded training set, applied once before training (images:
   * every class rotated by 90, 180 and 270 degrees as three new classes). `options` is `train.augment`;
   * returns `train` itself when they ask for none. Never applied to validation, test or evaluation data.
   */
  augmentClasses?(train: DecodedSet, pre: P, options: A): DecodedSet;
  /** Optional facts shown by `fewshot plugins` (resolved binaries, versions). */
  info?(): Record<string, string>;
  /**
   * Optional small picture of one sample for reports (`fewshot bench`'s report.html): 8-bit grey or RGB
   * pixels, row-major, white = 255, at most about 96 pixels a side (image: the picture; video: a frame;
   * audio: a spectrogram). Core encodes it (PNG); throws DataError when the file cannot be read.
   */
  thumbnail?(
    ref: SampleRef,
    pre: P,
  ): Promise<{ readonly width: number; readonly height: number; readonly channels: 1 | 3; readonly data: Uint8Array }>;
}

const parsedAugment = new WeakMap<Modality, WeakMap<object, object>>();

/**
 * `train.augment` or `eval.tta.augment` (`raw`, as in the config) parsed with the modality's
 * `augmentSchema`, once per raw object. A modality without a schema takes only an empty mapping.
 * Problems are a ConfigError naming `<where>.<key>` (the experiment reports them with file:line:col
 * when it opens, see `validateAugment`).
 */
export function augmentSettings(
  m: Modality,
  raw: Readonly<Record<string, unknown>>,
  where = 'train.augment',
): Record<string, unknown> {
  let cache = parsedAugment.get(m);
  if (!cache) parsedAugment.set(m, (cache = new WeakMap()));
  const hit = cache.get(raw);
  if (hit) return hit as Record<string, unknown>;
  const schema = m.augmentSchema;
  let parsed: object;
  if (!schema) {
    const keys = Object.keys(raw ?? {});
    if (keys.length > 0) {
      throw new ConfigError(
        `${where}: the '${m.id}' modality has no augmentation settings, got ${keys.map((k) => `'${k}'`).join(', ')}`,
        {
          hints: [`remove ${where}`],
        },
      );
    }
    parsed = {};
  } else {
    const r = schema.safeParse(raw ?? {});
    if (!r.success) {
      const lines = r.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`);
      throw new ConfigError(lines[0] ?? `${where}: invalid`, { hints: lines.slice(1) });
    }
    parsed = r.data;
  }
  cache.set(raw, parsed);
  return parsed as Record<string, unknown>;
}
