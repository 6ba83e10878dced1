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

/** `model.encoderOptions` of the Conv-4 encoder. */
export const conv4OptionsSchema = z.strictObject({
  filters: z
    .number()
    .int()
    .min(1)
    .max(1024)
    .default(64)
    .describe('filters of every conv layer (the last one: lastFilters, when set)'),
  blocks: z.number().int().min(1).max(8).default(4).describe('conv blocks (each halves the height and width)'),
  lastFilters: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .optional()
    .describe("filters of the last conv block only (default: filters); with a global finalPool, the embedding's size"),
  embedding: z
    .number()
    .int()
    .min(1)
    .max(65536)
    .optional()
    .describe('size of a final linear dense layer (none by default)'),
  finalPool: z
    .enum(['max', 'none', 'global-max', 'global-avg'])
    .default('max')
    .describe(
      "how the last block's feature map is reduced: 'max' 2x2 max-pool like every block (28x28: the 3x3 map's top-left 2x2 only), " +
        "'none' keeps the map (3x3x64 = 576-d), 'global-max' / 'global-avg' pool the whole map (64-d)",
    ),
});

/**
 * Conv-4, the standard few-shot backbone (Vinyals et al. 2016; Snell et al. 2017): `blocks` x
 * [conv 3x3 'same' (no bias: batch norm has one), batch norm, ReLU, max-pool 2x2], flattened;
 * 28x28x1 -> 1x1x64 -> 64-d. `finalPool` replaces the last block's 2x2 max-pool: `none` flattens its
 * map, `global-max` / `global-avg` pool all of it. Layer names start with `conv4_` and every kernel
 * initialiser is seeded.
 */
export class Conv4Encoder implements EncoderFactory {
  readonly id = 'conv4';
  readonly description =
    'Conv-4 (Vinyals et al. 2016, Snell et al. 2017): 4 x [conv 3x3, batch norm, ReLU, max-pool 2], flattened (28x28 -> 64-d)';
  readonly modalities = ['image'];
  readonly preferredInput = [28, 28, 1] as const;

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const { filters, blocks, lastFilters, embedding, finalPool } = parseOptions(
      conv4OptionsSchema,
      options,
      'model.encoderOptions',
    );
    const inputShape = imageInputDims(shape, 'conv4');
    const [h, w] = inputShape;
    const min = 2 ** (finalPool === 'max' ? blocks : blocks - 1);
    if (h < min || w < min) {
      throw new ConfigError(`conv4 with ${blocks} blocks needs inputs of at least ${min}x${min}, got ${h}x${w}`, {
        hints: ['use a larger data.preprocess size or fewer model.encoderOptions.blocks'],
      });
    }
    const model = tf.sequential({ name: 'encoder' });
    for (let b = 1; b <= blocks; b++) {
      model.add(
        tf.layers.conv2d({
          name: `conv4_conv${b}`,
          ...(b === 1 ? { inputShape: [...inputShape] } : {}),
          filters: b === blocks ? (lastFilters ?? filters) : filters,
          kernelSize: 3,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, `conv${b}`) }),
        }),
      );
      model.add(tf.layers.batchNormalization({ name: `conv4_bn${b}`, momentum: 0.9, epsilon: 1e-5 }));
      model.add(tf.layers.reLU({ name: `conv4_relu${b}` }));
      if (b < blocks || finalPool === 'max')
        model.add(tf.layers.maxPooling2d({ name: `conv4_pool${b}`, poolSize: 2, strides: 2 }));
    }
    if (finalPool === 'global-max') model.add(tf.layers.globalMaxPooling2d({ name: 'conv4_global_pool' }));
    else if (finalPool === 'global-avg') model.add(tf.layers.globalAveragePooling2d({ name: 'conv4_global_pool' }));
    else model.add(tf.layers.flatten({ name: 'conv4_flatten' }));
    if (embedding !== undefined) {
      model.add(
        tf.layers.dense({
          name: 'conv4_embedding',
          units: embedding,
          kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 'embedding') }),
        }),
      );
    }
    return model;
  }
}
