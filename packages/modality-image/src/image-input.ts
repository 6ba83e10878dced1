import { ConfigError, type SampleShape } from '@fewshot/core/plugin';

/**
 * The [height, width, channels] dims of an image encoder's input; a ConfigError naming the encoder
 * when the samples have another rank (a video's [time, height, width, channels], say).
 */
export function imageInputDims(shape: SampleShape, encoder: string): [number, number, number] {
  if (shape.dims.length !== 3) {
    throw new ConfigError(
      `the ${encoder} encoder takes [height, width, channels] images, but the samples are ${shape.dims.join('x')} (${shape.names.join(', ')})`,
      {
        hints: [
          'use an encoder of the modality (see `fewshot plugins`); for video, frame-pool runs an image encoder on every frame',
        ],
      },
    );
  }
  return [shape.dims[0]!, shape.dims[1]!, shape.dims[2]!];
}
