import type { z } from 'zod';
import type { LabeledSet } from './labeled-set.js';
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

/** Modality-specific preprocessing settings (validated by `Modality.preprocessSchema`). */
export type Preprocess = Readonly<Record<string, unknown>>;

/** What `load` reports about samples it passed over (with `onBadSample: skip`). */
export interface LoadReport {
  readonly skipped: readonly { path: string; reason: string }[];
}

/**
 * A modality plugin: everything that differs between images, audio and video. The core owns the loop
 * (sampling, models, training, evaluation); a modality finds samples, decodes them to fixed-shape
 * tensors and may augment them.
 */
export const Modality = Symbol.for('fewshot.Modality');
export interface Modality {
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
  /** Schema of `data.preprocess`, with defaults. */
  readonly preprocessSchema: z.ZodType<Record<string, unknown>>;
  /** Shape [height, width, channels] of one decoded sample. */
  inputShape(pre: Preprocess): [number, number, number];
  /** Find the labelled samples of one split. Throws DataError for a missing or empty folder. */
  load(spec: DatasetSpec): Promise<LabeledSet>;
  /**
   * Decode one file to a Float32Array of `inputShape(pre)` values, row-major HWC. Throws DataError
   * naming the file when it cannot be decoded.
   */
  decode(path: string, pre: Preprocess): Promise<Float32Array>;
  /** Optional training-time augmentation of one decoded sample, in place, from the given Rng. */
  augment?(sample: Float32Array, pre: Preprocess, options: Readonly<Record<string, unknown>>, rng: Rng): void;
  /**
   * Optional class augmentation of the decoded training set, applied once before training (images:
   * every class rotated by 90, 180 and 270 degrees as three new classes). `options` is `train.augment`;
   * returns `train` itself when they ask for none. Never applied to validation, test or evaluation data.
   */
  augmentClasses?(train: DecodedSet, pre: Preprocess, options: Readonly<Record<string, unknown>>): DecodedSet;
  /** Optional facts shown by `fewshot plugins` (resolved binaries, versions). */
  info?(): Record<string, string>;
}
