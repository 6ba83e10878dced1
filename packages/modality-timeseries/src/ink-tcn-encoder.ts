import path from 'node:path';
import {
  ConfigError,
  describeShape,
  layerSeed,
  loadPairEncoder,
  parseOptions,
  tf,
  z,
  type EncoderBuildContext,
  type EncoderFactory,
  type SampleShape,
} from '@fewshot/core/plugin';
import { INK_TCN_ENCODER_ID, MODALITY_ID } from './ids.js';
import { InkRaster } from './ink-raster.js';
import { sequenceDims } from './sequence-dims.js';
import { TcnEncoder, tcnOptionsSchema } from './tcn-encoder.js';

/** `model.encoderOptions` of the ink + TCN encoder. */
export const inkTcnOptionsSchema = z.strictObject({
  initFrom: z
    .string()
    .min(1)
    .describe(
      "a fewshot image model folder (relative to the config's folder) whose encoder embeds the drawn trajectory, e.g. models/image-to-video/image",
    ),
  tcn: tcnOptionsSchema
    .omit({ embedding: true })
    .prefault({})
    .describe(
      "the temporal conv net on the trajectory (timeseries-tcn options but embedding, which is the image encoder's)",
    ),
  scale: z
    .number()
    .positive()
    .max(1000)
    .default(5.75)
    .describe(
      'pixels per unit of the centred, scaled x and y (5.75: an Omniglot character drawn as in a 28x28 Omniglot image)',
    ),
  sigma: z.number().positive().max(10).default(0.5).describe('width (standard deviation, pixels) of the ink'),
  penChannel: z
    .number()
    .int()
    .min(-1)
    .max(4095)
    .default(4)
    .describe(
      'feature index of the pen-down channel: 4 with the default data.preprocess (x, y, dx, dy, pen); 2 without deltas; -1 for none (every point inked)',
    ),
});
export type InkTcnOptions = z.output<typeof inkTcnOptionsSchema>;

/**
 * `timeseries-ink-tcn`: a pen trajectory seen two ways. Its first two channels are drawn as ink on a
 * picture (InkRaster) and embedded by the encoder of a trained image model (`initFrom`: what the
 * drawing looks like); a temporal conv net on the whole sequence (how it was drawn) adds a learned
 * linear map of its features, starting at zero, so training starts from the image model's embedding.
 * The trajectory counterpart of the video plugin's `frame-pool` with `pooling: linear`.
 */
export class InkTcnEncoder implements EncoderFactory {
  readonly id = INK_TCN_ENCODER_ID;
  readonly description =
    'a trained image encoder on the trajectory drawn as ink, plus a 1-D temporal conv net on the sequence (a learned linear map starting at zero)';
  readonly modalities = [MODALITY_ID];

  async build(
    shape: SampleShape,
    options: Readonly<Record<string, unknown>>,
    seed: number,
    context?: EncoderBuildContext,
  ): Promise<tf.LayersModel> {
    const o = parseOptions(inkTcnOptionsSchema, options, 'model.encoderOptions');
    const [T, F] = sequenceDims(shape, this.id);
    const dir = path.resolve(context?.baseDir ?? process.cwd(), o.initFrom);
    const image = (await loadPairEncoder(dir)).encoder;
    const input = image.inputs[0]!.shape.slice(1);
    const out = image.outputs[0]!.shape;
    if (input.length !== 3 || input[0] !== input[1] || input[2] !== 1 || out.length !== 2) {
      image.dispose();
      throw new ConfigError(
        `model.encoderOptions.initFrom: the encoder in ${dir} takes ${input.join('x')} inputs and gives [${out.join(', ')}]; the ink needs a square one-channel image encoder giving [batch, d]`,
      );
    }
    if (o.penChannel >= F) {
      image.dispose();
      throw new ConfigError(
        `model.encoderOptions.penChannel: ${o.penChannel} is not a feature of the ${describeShape(shape)} samples`,
      );
    }
    const x = tf.input({ shape: [T, F], name: `${this.id}_input` });
    let picture = new InkRaster({
      size: input[0]!,
      scale: o.scale,
      sigma: o.sigma,
      penIndex: o.penChannel,
      name: `${this.id}_ink`,
    }).apply(x) as tf.SymbolicTensor;
    for (const layer of image.layers) {
      if (layer instanceof tf.layers.Layer && layer.getClassName() === 'InputLayer') continue;
      picture = layer.apply(picture) as tf.SymbolicTensor;
    }
    const d = out[1]!;
    // the temporal branch: timeseries-tcn's layers, then a linear map to the image embedding, zeros at first
    const tcn = new TcnEncoder().build(shape, { ...o.tcn, embedding: d }, layerSeed(seed, 'tcn'));
    let h: tf.SymbolicTensor = x;
    const layers = tcn.layers;
    for (let i = 0; i < layers.length - 1; i++) h = layers[i]!.apply(h) as tf.SymbolicTensor;
    h = tf.layers
      .dense({ name: `${this.id}_temporal`, units: d, kernelInitializer: 'zeros', biasInitializer: 'zeros' })
      .apply(h) as tf.SymbolicTensor;
    const y = tf.layers.add({ name: `${this.id}_sum` }).apply([picture, h]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: y, name: 'encoder' });
    // their layers now belong to `model`
    image.dispose();
    tcn.dispose();
    return model;
  }
}
