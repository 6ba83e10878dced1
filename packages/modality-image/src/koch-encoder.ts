import {
  ConfigError,
  layerSeed,
  parseOptions,
  tf,
  z,
  type EncoderFactory,
  type SampleShape,
} from '@fewshot/core/plugin';
import { imageInputDims } from './image-input.js';

/** `model.encoderOptions` of the Koch encoder. */
export const kochOptionsSchema = z.strictObject({
  embedding: z.number().int().min(1).max(65536).default(4096).describe('units of the final sigmoid dense layer'),
  widthScale: z
    .number()
    .positive()
    .max(4)
    .default(1)
    .describe('multiplies every filter count (0.25 gives a small, fast variant)'),
});

/** Conv layers of Koch et al. (2015): filters, kernel size; each but the last is followed by a 2x2 max-pool. */
const CONVS = [
  [64, 10],
  [128, 7],
  [128, 4],
  [256, 4],
] as const;

/**
 * The encoder of Koch, Zemel & Salakhutdinov (2015), "Siamese Neural Networks for One-shot Image
 * Recognition": 105x105x1 -> conv 64@10x10 ReLU, pool -> conv 128@7x7 ReLU, pool -> conv 128@4x4
 * ReLU, pool -> conv 256@4x4 ReLU -> flatten (6x6x256) -> dense 4096 sigmoid. Kernels start He-normal
 * (convs) and Glorot-uniform (dense), seeded, rather than the paper's N(0, 0.01) / N(0, 0.2).
 */
export class KochEncoder implements EncoderFactory {
  readonly id = 'koch';
  readonly description =
    'Koch et al. 2015 Siamese encoder: 4 conv layers (64@10, 128@7, 128@4, 256@4), dense 4096 sigmoid';
  readonly modalities = ['image'];
  readonly preferredInput = [105, 105, 1] as const;

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const { embedding, widthScale } = parseOptions(kochOptionsSchema, options, 'model.encoderOptions');
    const inputShape = imageInputDims(shape, 'koch');
    const [h, w] = inputShape;
    if (outputSide(h) < 1 || outputSide(w) < 1) {
      let min = 1;
      while (outputSide(min) < 1) min++;
      throw new ConfigError(`koch needs inputs of at least ${min}x${min}, got ${h}x${w}`, {
        hints: ['use data.preprocess size 105 (the paper) or the conv4 encoder for small images'],
      });
    }
    const model = tf.sequential({ name: 'encoder' });
    CONVS.forEach(([filters, kernelSize], i) => {
      const n = i + 1;
      model.add(
        tf.layers.conv2d({
          name: `koch_conv${n}`,
          ...(i === 0 ? { inputShape: [...inputShape] } : {}),
          filters: Math.max(1, Math.round(filters * widthScale)),
          kernelSize,
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, `conv${n}`) }),
        }),
      );
      if (i < CONVS.length - 1) model.add(tf.layers.maxPooling2d({ name: `koch_pool${n}`, poolSize: 2, strides: 2 }));
    });
    model.add(tf.layers.flatten({ name: 'koch_flatten' }));
    model.add(
      tf.layers.dense({
        name: 'koch_embedding',
        units: embedding,
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 'embedding') }),
      }),
    );
    return model;
  }
}

/** Height (or width) of the last conv output for an input side: valid convs, floor pooling. */
function outputSide(side: number): number {
  let s = side;
  CONVS.forEach(([, k], i) => {
    s = s - k + 1;
    if (i < CONVS.length - 1) s = Math.floor(s / 2);
    if (s < 1) s = -Infinity;
  });
  return s;
}
