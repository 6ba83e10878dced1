import type * as tf from '@tensorflow/tfjs';
import type { ModalityRegistry } from './registry.js';
import type { SampleShape } from './modality.js';

/** What an encoder may use besides its options: other encoders (by id) and where relative paths start. */
export interface EncoderBuildContext {
  /** The registry of the run: an encoder may build another one by id (a video encoder its per-frame CNN). */
  readonly registry: ModalityRegistry;
  /** Folder that relative paths in `model.encoderOptions` are resolved against (the config's folder). */
  readonly baseDir: string;
}

/** Builds an encoder network: a LayersModel mapping one input of a SampleShape to an embedding vector. */
export const EncoderFactory = Symbol.for('fewshot.EncoderFactory');
export interface EncoderFactory {
  /** Id used in experiment YAML (`model.encoder: conv4`). */
  readonly id: string;
  readonly description: string;
  /** Modalities it suits (for listings and defaults); empty means any. */
  readonly modalities: readonly string[];
  /** Input dims it was designed for, when it has any (Conv-4: 28x28x1; Koch: 105x105x1). */
  readonly preferredInput?: readonly number[];
  /**
   * Build a fresh encoder whose input is [batch, ...shape.dims] and output [batch, d]. `options` comes
   * from `model.encoderOptions`; `seed` seeds every weight initialiser so that the same seed gives the
   * same initial weights. `context` is given by fewshot when it builds a model from a config (it may be
   * absent in direct calls and tests). A shape the encoder cannot take (wrong rank, too small) is a
   * ConfigError saying so.
   */
  build(
    shape: SampleShape,
    options: Readonly<Record<string, unknown>>,
    seed: number,
    context?: EncoderBuildContext,
  ): tf.LayersModel | Promise<tf.LayersModel>;
}
