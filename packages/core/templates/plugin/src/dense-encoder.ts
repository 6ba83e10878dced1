import { layerSeed, parseOptions, shapeSize, tf, z, type EncoderFactory, type SampleShape } from '@fewshot/core/plugin';
import { DENSE_ENCODER_ID, MODALITY_ID } from './ids.js';

/** `model.encoderOptions` of the dense encoder. */
export const denseOptionsSchema = z.strictObject({
  hidden: z.number().int().min(1).max(4096).default(32).describe('units of the hidden ReLU layer'),
  embedding: z.number().int().min(1).max(4096).default(16).describe('size of the embedding'),
});

/** A small dense encoder: the sample flattened, a hidden ReLU layer, a linear embedding. Works for any sample shape. */
export class DenseEncoder implements EncoderFactory {
  readonly id = DENSE_ENCODER_ID;
  readonly description = 'flatten, dense ReLU (hidden), dense linear (embedding)';
  readonly modalities = [MODALITY_ID];

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const { hidden, embedding } = parseOptions(denseOptionsSchema, options, 'model.encoderOptions');
    const model = tf.sequential({ name: 'encoder' });
    // layer names are prefixed with the encoder's id so they never clash with the model's own layers
    model.add(
      tf.layers.reshape({ name: `${this.id}_flatten`, inputShape: [...shape.dims], targetShape: [shapeSize(shape)] }),
    );
    model.add(
      tf.layers.dense({
        name: `${this.id}_hidden`,
        units: hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, 'hidden') }),
      }),
    );
    model.add(
      tf.layers.dense({
        name: `${this.id}_embedding`,
        units: embedding,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 'embedding') }),
      }),
    );
    return model;
  }
}
