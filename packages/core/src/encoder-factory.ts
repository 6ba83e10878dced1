import type * as tf from '@tensorflow/tfjs';

/** Builds an encoder network: a LayersModel mapping one input of `inputShape` to an embedding vector. */
export const EncoderFactory = Symbol.for('fewshot.EncoderFactory');
export interface EncoderFactory {
  /** Id used in experiment YAML (`model.encoder: conv4`). */
  readonly id: string;
  readonly description: string;
  /** Modalities it suits (for listings and defaults); empty means any. */
  readonly modalities: readonly string[];
  /** Input shape it was designed for, when it has one (Conv-4: 28x28x1; Koch: 105x105x1). */
  readonly preferredInput?: readonly [number, number, number];
  /**
   * Build a fresh encoder. `options` comes from `model.encoderOptions`; `seed` seeds every weight
   * initialiser so that the same seed gives the same initial weights.
   */
  build(inputShape: readonly [number, number, number], options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel;
}
