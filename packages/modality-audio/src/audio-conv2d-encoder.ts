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

/** `model.encoderOptions` of the 2-D audio encoder. */
export const audioConv2dOptionsSchema = z.strictObject({
  filters: z.int().min(1).max(1024).default(64).describe('filters of every conv layer'),
  blocks: z
    .int()
    .min(1)
    .max(8)
    .default(4)
    .describe('conv blocks (each halves the frames, and the coefficients while there are 2 or more)'),
  kernelSize: z.int().min(1).max(9).default(3).describe('side of the square conv kernels'),
  pool: z
    .enum(['flatten', 'average', 'max'])
    .default('flatten')
    .describe('how the last feature map becomes a vector: flatten it, or pool it globally'),
  embedding: z.int().min(1).max(65536).optional().describe('size of a final linear dense layer (none by default)'),
});

/**
 * Conv-4 over the [frames, coefficients, channels] feature map: `blocks` x [conv kxk 'same' (no bias),
 * batch norm, ReLU, max-pool], then flattened (or globally pooled). Pooling halves the time axis, and the
 * coefficient axis while it has at least 2 rows, so 13 MFCCs survive 4 blocks (13 -> 6 -> 3 -> 1 -> 1):
 * 98x13x1 -> 6x1x64 -> 384-d. Layer names start with `aconv2d_`; every kernel initialiser is seeded.
 */
export class AudioConv2dEncoder implements EncoderFactory {
  readonly id = 'audio-conv2d';
  readonly description =
    'Conv-4 over the feature map: 4 x [conv 3x3, batch norm, ReLU, max-pool 2 (time, and coefficients while >= 2)], flattened';
  readonly modalities = ['audio'];

  build(shape: SampleShape, options: Readonly<Record<string, unknown>>, seed: number): tf.LayersModel {
    const o = parseOptions(audioConv2dOptionsSchema, options, 'model.encoderOptions');
    const inputShape = timeMajor(shape, 'the audio-conv2d encoder');
    let [t, f] = inputShape;
    if (t < 2 ** o.blocks) {
      throw new ConfigError(`audio-conv2d with ${o.blocks} blocks needs at least ${2 ** o.blocks} frames, got ${t}`, {
        hints: ['use a longer data.preprocess.duration, a smaller hopMs, or fewer model.encoderOptions.blocks'],
      });
    }
    const model = tf.sequential({ name: 'encoder' });
    for (let b = 1; b <= o.blocks; b++) {
      model.add(
        tf.layers.conv2d({
          name: `aconv2d_conv${b}`,
          ...(b === 1 ? { inputShape: [...inputShape] } : {}),
          filters: o.filters,
          kernelSize: o.kernelSize,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.heNormal({ seed: layerSeed(seed, `conv${b}`) }),
        }),
      );
      model.add(tf.layers.batchNormalization({ name: `aconv2d_bn${b}`, momentum: 0.9, epsilon: 1e-5 }));
      model.add(tf.layers.reLU({ name: `aconv2d_relu${b}` }));
      const pool: [number, number] = [2, f >= 2 ? 2 : 1];
      model.add(tf.layers.maxPooling2d({ name: `aconv2d_pool${b}`, poolSize: pool, strides: pool }));
      t = Math.floor(t / 2);
      f = Math.floor(f / pool[1]);
    }
    if (o.pool === 'flatten') model.add(tf.layers.flatten({ name: 'aconv2d_flatten' }));
    else if (o.pool === 'average') model.add(tf.layers.globalAveragePooling2d({ name: 'aconv2d_gap' }));
    else model.add(tf.layers.globalMaxPooling2d({ name: 'aconv2d_gmp' }));
    if (o.embedding !== undefined) {
      model.add(
        tf.layers.dense({
          name: 'aconv2d_embedding',
          units: o.embedding,
          kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed(seed, 'embedding') }),
        }),
      );
    }
    return model;
  }
}
