import {
  ConfigError,
  layerSeed,
  parseOptions,
  tf,
  z,
  type EncoderFactory,
  type SampleShape,
} from '@fewshot/core/plugin';
import { timeMajor } from './spec-augment.js';

/** `model.encoderOptions` of the 1-D temporal audio encoder. */
export const audioConv1dOptionsSchema = z.strictObject({
  filters: z
    .int()
    .min(1)
    .max(1024)
    .default(128)
    .describe('filters of every conv layer (the last one: lastFilters, when set)'),
  lastFilters: z
    .int()
    .min(1)
    .max(4096)
    .optional()
    .describe("filters of the last conv block only (default: filters); when pooled over time, the embedding's size"),
  blocks: z.int().min(1).max(8).default(4).describe('conv blocks (each halves the frames)'),
  kernelSize: z.int().min(1).max(31).default(5).describe('conv kernel length in frames'),
  pool: z
    .enum(['flatten', 'average', 'max'])
    .default('average')
    .describe('how the last sequence becomes a vector: flatten it, or pool it over time'),
  embedding: z.int().min(1).max(65536).optional().describe('size of a final linear dense layer (none by default)'),
});

/**
 * A temporal convolution network: the [frames, coefficients, channels] map is read as a sequence of
 * frames whose coefficients (x channels) are the input channels; `blocks` x [conv1d k 'same' (no bias),
 * batch norm, ReLU, max-pool 2], then averaged over time (or max-pooled, or flattened); the last block
 * may be wider (`lastFilters`). 98x13x1 -> 6x128 -> 128-d. Layer names start with `aconv1d_`; every kernel initialiser is seeded.
 */
export class AudioConv1dEncoder implements EncoderFactory {
  readonly id = 'audio-conv1d';
  readonly description =
    'temporal conv net: 4 x [conv1d over frames (coefficients as channels), batch norm, ReLU, max-pool 2], averaged over time';
  readonly modalities = ['audio'];

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const o = parseOptions(audioConv1dOptionsSchema, options, 'model.encoderOptions');
    const inputShape = timeMajor(shape, 'the audio-conv1d encoder');
    const [t, f, c] = inputShape;
    if (t < 2 ** o.blocks) {
      throw new ConfigError(`audio-conv1d with ${o.blocks} blocks needs at least ${2 ** o.blocks} frames, got ${t}`, {
        hints: ['use a longer data.preprocess.duration, a smaller hopMs, or fewer model.encoderOptions.blocks'],
      });
    }
    const model = tf.sequential({ name: 'encoder' });
    model.add(tf.layers.reshape({ name: 'aconv1d_frames', inputShape: [...inputShape], targetShape: [t, f * c] }));
    for (let b = 1; b <= o.blocks; b++) {
      model.add(
        tf.layers.conv1d({
          name: `aconv1d_conv${b}`,
          filters: b === o.blocks ? (o.lastFilters ?? o.filters) : o.filters,
          kernelSize: o.kernelSize,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, `conv${b}`) }),
        }),
      );
      model.add(tf.layers.batchNormalization({ name: `aconv1d_bn${b}`, momentum: 0.9, epsilon: 1e-5 }));
      model.add(tf.layers.reLU({ name: `aconv1d_relu${b}` }));
      model.add(tf.layers.maxPooling1d({ name: `aconv1d_pool${b}`, poolSize: 2, strides: 2 }));
    }
    if (o.pool === 'flatten') model.add(tf.layers.flatten({ name: 'aconv1d_flatten' }));
    else if (o.pool === 'average') model.add(tf.layers.globalAveragePooling1d({ name: 'aconv1d_gap' }));
    else model.add(tf.layers.globalMaxPooling1d({ name: 'aconv1d_gmp' }));
    if (o.embedding !== undefined) {
      model.add(
        tf.layers.dense({
          name: 'aconv1d_embedding',
          units: o.embedding,
          kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 'embedding') }),
        }),
      );
    }
    return model;
  }
}
