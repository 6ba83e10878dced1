import { ConfigError, describeShape, type SampleShape } from '@fewshot/core/plugin';

/** `[time, channels]` of a sequence sample shape; a ConfigError naming the encoder for any other shape. */
export function sequenceDims(shape: SampleShape, encoder: string): [number, number] {
  if (shape.dims.length !== 2 || shape.names[0] !== 'time') {
    throw new ConfigError(
      `the ${encoder} encoder takes [time, channels] sequences, but the samples are ${describeShape(shape)}`,
      {
        hints: ['use it with the timeseries modality'],
      },
    );
  }
  return [shape.dims[0]!, shape.dims[1]!];
}
