import { layerSeed, parseOptions, tf, z, type EncoderFactory, type SampleShape } from '@fewshot/core/plugin';
import { MODALITY_ID, TCN_ENCODER_ID } from './ids.js';
import { sequenceDims } from './sequence-dims.js';

/** `model.encoderOptions` of the temporal conv net. */
export const tcnOptionsSchema = z.strictObject({
  blocks: z
    .number()
    .int()
    .min(1)
    .max(8)
    .default(4)
    .describe('conv blocks: conv1d, batch norm, ReLU, max-pool by 2 (while the sequence is longer than 1)'),
  filters: z.number().int().min(1).max(1024).default(64).describe('filters of each conv layer'),
  kernel: z.number().int().min(1).max(31).default(5).describe('kernel size (time steps) of each conv layer'),
  pooling: z
    .enum(['flatten', 'average', 'max'])
    .default('flatten')
    .describe(
      "after the blocks: 'flatten' keeps where along the sequence a feature is; 'average' and 'max' pool over time (less bound to the order of the strokes)",
    ),
  embedding: z.number().int().min(1).max(4096).default(128).describe('size of the embedding (a linear dense layer)'),
});
export type TcnOptions = z.output<typeof tcnOptionsSchema>;

/**
 * `timeseries-tcn`: a 1-D temporal convolutional network, the Conv-4 of sequences. Each block is a
 * `same`-padded conv1d over time, batch normalisation, ReLU and max-pooling by 2; then the remaining
 * steps are flattened (or averaged) into a linear embedding. Input `[batch, time, channels]`.
 */
export class TcnEncoder implements EncoderFactory {
  readonly id = TCN_ENCODER_ID;
  readonly description =
    '1-D temporal conv net: blocks of conv1d, batch norm, ReLU, max-pool by 2; flatten; dense embedding';
  readonly modalities = [MODALITY_ID];

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const o = parseOptions(tcnOptionsSchema, options, 'model.encoderOptions');
    const [T, F] = sequenceDims(shape, this.id);
    const model = tf.sequential({ name: 'encoder' });
    let steps = T;
    for (let b = 0; b < o.blocks; b++) {
      model.add(
        tf.layers.conv1d({
          name: `${this.id}_conv${b + 1}`,
          ...(b === 0 ? { inputShape: [T, F] } : {}),
          filters: o.filters,
          kernelSize: o.kernel,
          padding: 'same',
          kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, `conv${b + 1}`) }),
        }),
      );
      model.add(tf.layers.batchNormalization({ name: `${this.id}_bn${b + 1}` }));
      model.add(tf.layers.activation({ name: `${this.id}_relu${b + 1}`, activation: 'relu' }));
      if (steps >= 2) {
        model.add(tf.layers.maxPooling1d({ name: `${this.id}_pool${b + 1}`, poolSize: 2, strides: 2 }));
        steps = Math.floor(steps / 2);
      }
    }
    if (o.pooling === 'flatten') model.add(tf.layers.flatten({ name: `${this.id}_flatten` }));
    else if (o.pooling === 'average') model.add(tf.layers.globalAveragePooling1d({ name: `${this.id}_average` }));
    else model.add(tf.layers.globalMaxPooling1d({ name: `${this.id}_max` }));
    model.add(
      tf.layers.dense({
        name: `${this.id}_embedding`,
        units: o.embedding,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 'embedding') }),
      }),
    );
    return model;
  }
}
