// Test helpers (not in the published package): a tiny dense encoder on 4x4x1 inputs, the pair-model
// metadata that goes with it, and a store of deterministic samples. Used by the model and eval specs.
import * as tf from '@tensorflow/tfjs';
import { SampleStore } from '../data/sample-store.js';
import { sampleShape } from '../modality.js';

/** flatten + dense `units` on 4x4x1 inputs, its kernel seeded by `seed`. */
export function tinyEncoder(seed: number, units: number): tf.LayersModel {
  return tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 1], name: 'f' }),
      tf.layers.dense({ units, kernelInitializer: tf.initializers.glorotUniform({ seed }), name: 'd' }),
    ],
  });
}

/** The metadata `PairModel.create` takes for `tinyEncoder`. */
export const tinyMeta = {
  kind: 'siamese' as const,
  encoder: 'tiny',
  modality: 'test',
  preprocess: { size: 4 },
  inputShape: [4, 4, 1] as const,
  margin: 1,
  plugins: [],
  backend: 'cpu',
};

/** `n` samples of 4x4x1 with values in [shift, 1 + shift), the same every call. */
export function tinyStore(n: number, shift = 0): SampleStore {
  const data = new Float32Array(n * 16);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 7919) % 101) / 101 + shift;
  return new SampleStore(sampleShape([4, 4, 1], ['height', 'width', 'channels']), data);
}
