import { layerSeed, parseOptions, tf, z, type EncoderFactory, type SampleShape } from '@fewshot/core/plugin';
import { MODALITY_ID, RNN_ENCODER_ID } from './ids.js';
import { sequenceDims } from './sequence-dims.js';

/** `model.encoderOptions` of the recurrent encoder. */
export const rnnOptionsSchema = z.strictObject({
  cell: z.enum(['gru', 'lstm']).default('gru').describe('recurrent cell'),
  units: z.number().int().min(1).max(1024).default(64).describe('units of each recurrent layer'),
  layers: z.number().int().min(1).max(4).default(1).describe('stacked recurrent layers'),
  embedding: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(64)
    .describe('size of the embedding (a linear dense layer on the last state)'),
});
export type RnnOptions = z.output<typeof rnnOptionsSchema>;

/**
 * `timeseries-rnn`: a GRU or LSTM over the time steps (stacked `layers` deep); the last layer's final
 * state goes through a linear embedding. Input `[batch, time, channels]`. tfjs unrolls the recurrence
 * step by step, so it trains far slower than `timeseries-tcn` (see the package README for figures).
 */
export class RnnEncoder implements EncoderFactory {
  readonly id = RNN_ENCODER_ID;
  readonly description = 'recurrent encoder: GRU or LSTM layers over time, last state, dense embedding';
  readonly modalities = [MODALITY_ID];

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const o = parseOptions(rnnOptionsSchema, options, 'model.encoderOptions');
    const [T, F] = sequenceDims(shape, this.id);
    const model = tf.sequential({ name: 'encoder' });
    for (let l = 0; l < o.layers; l++) {
      const config = {
        name: `${this.id}_${o.cell}${l + 1}`,
        ...(l === 0 ? { inputShape: [T, F] } : {}),
        units: o.units,
        returnSequences: l < o.layers - 1,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, `${o.cell}${l + 1}_kernel`) }),
        recurrentInitializer: tf.initializers.orthogonal({
          gain: 1,
          seed: layerSeed(seed, `${o.cell}${l + 1}_recurrent`),
        }),
      };
      model.add(o.cell === 'gru' ? tf.layers.gru(config) : tf.layers.lstm(config));
    }
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
