import { ConfigError, sampleShape, tf } from '@fewshot/core/plugin';
import { RnnEncoder } from './rnn-encoder.js';
import { TcnEncoder } from './tcn-encoder.js';

const shape = sampleShape([16, 5], ['time', 'channels']);

describe.each([
  ['timeseries-tcn', new TcnEncoder(), { blocks: 3, filters: 8, embedding: 12 }],
  ['timeseries-tcn (average pooling)', new TcnEncoder(), { blocks: 2, filters: 8, embedding: 12, pooling: 'average' }],
  ['timeseries-rnn (gru)', new RnnEncoder(), { units: 8, embedding: 12 }],
  ['timeseries-rnn (2 lstm layers)', new RnnEncoder(), { cell: 'lstm', units: 8, layers: 2, embedding: 12 }],
])('%s', (_name, encoder, options) => {
  it('maps [batch, time, channels] to [batch, embedding], the same weights for the same seed', () => {
    const before = tf.memory().numTensors;
    const a = encoder.build(shape, options, 7);
    const b = encoder.build(shape, options, 7);
    const c = encoder.build(shape, options, 8);
    const x = tf.randomNormal([3, 16, 5], 0, 1, 'float32', 1);
    const [ya, yb, yc] = [a, b, c].map((m) => m.predict(x) as tf.Tensor);
    expect(ya!.shape).toEqual([3, 12]);
    expect(Array.from(ya!.dataSync())).toEqual(Array.from(yb!.dataSync()));
    expect(Array.from(ya!.dataSync())).not.toEqual(Array.from(yc!.dataSync()));
    expect(a.layers.every((l) => l.name.startsWith(encoder.id))).toBe(true);
    tf.dispose([x, ya!, yb!, yc!]);
    [a, b, c].forEach((m) => m.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('encoder options and shapes', () => {
  it('rejects a misspelt option and a sample shape that is not [time, channels]', () => {
    expect(() => new TcnEncoder().build(shape, { filter: 8 }, 1)).toThrow(/model\.encoderOptions/);
    const image = sampleShape([8, 8, 1], ['height', 'width', 'channels']);
    expect(() => new TcnEncoder().build(image, {}, 1)).toThrow(ConfigError);
    expect(() => new RnnEncoder().build(image, {}, 1)).toThrow(
      /takes \[time, channels\] sequences, but the samples are 8x8x1/,
    );
  });

  it('stops pooling when the sequence is down to one step', () => {
    const m = new TcnEncoder().build(
      sampleShape([4, 2], ['time', 'channels']),
      { blocks: 4, filters: 4, embedding: 3 },
      1,
    );
    expect(m.layers.filter((l) => l.name.includes('_pool')).length).toBe(2);
    expect(m.outputs[0]!.shape).toEqual([null, 3]);
    m.dispose();
  });
});
