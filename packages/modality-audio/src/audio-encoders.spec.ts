import { ConfigError, tf } from '@fewshot/core/plugin';
import { AudioConv1dEncoder } from './audio-conv1d-encoder.js';
import { AudioConv2dEncoder } from './audio-conv2d-encoder.js';
import { sampleShape as named } from '@fewshot/core/plugin';

const input = (dims: number[]) => named(dims, ['time', 'features', 'channels']);

const conv2d = new AudioConv2dEncoder();
const conv1d = new AudioConv1dEncoder();

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('audio-conv2d', () => {
  it('maps 98x13x1 MFCC maps to 384-d (the coefficient axis stops halving at 1)', () => {
    const model = conv2d.build(input([98, 13, 1]), { filters: 8 }, 1);
    expect(model.outputs[0]?.shape).toEqual([null, 6 * 1 * 8]);
    expect(model.layers.every((l) => l.name.startsWith('aconv2d_'))).toBe(true);
    expect(model.getLayer('aconv2d_pool4').outputShape).toEqual([null, 6, 1, 8]);
    const before = tf.memory().numTensors;
    const shape = tf.tidy(() => (model.predict(tf.ones([2, 98, 13, 1])) as tf.Tensor).shape);
    expect(shape).toEqual([2, 48]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('honours pool, embedding and channels (deltas), and refuses too few frames', () => {
    const avg = conv2d.build(input([49, 40, 3]), { filters: 4, pool: 'average', embedding: 7 }, 1);
    expect(avg.outputs[0]?.shape).toEqual([null, 7]);
    avg.dispose();
    expect(() => conv2d.build(input([10, 13, 1]), {}, 1)).toThrow(
      'audio-conv2d with 4 blocks needs at least 16 frames, got 10',
    );
    expect(() => conv2d.build(input([98, 13, 1]), { filter: 3 }, 1)).toThrow(ConfigError);
    const image = named([28, 28, 1], ['height', 'width', 'channels']);
    expect(() => conv2d.build(image, {}, 1)).toThrow(ConfigError);
    expect(() => conv1d.build(image, {}, 1)).toThrow(
      'the audio-conv1d encoder works on [time, coefficients, channels] audio features, but the samples are 28x28x1 (height, width, channels)',
    );
  });

  it('starts from the same weights for the same seed, and saves and loads back', async () => {
    const [a, b, c] = [1, 1, 2].map((seed) => conv2d.build(input([32, 13, 1]), { filters: 4, embedding: 5 }, seed));
    expect(weightsOf(a!)).toEqual(weightsOf(b!));
    expect(weightsOf(a!)[0]).not.toEqual(weightsOf(c!)[0]);
    const loaded = await roundTrip(a!);
    const x = tf.randomUniform([2, 32, 13, 1], -1, 1, 'float32', 3);
    const [p, q] = [a!, loaded].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(q!.dataSync())).toEqual(Array.from(p!.dataSync()));
    tf.dispose([x, p!, q!]);
    [a, b, c, loaded].forEach((m) => m!.dispose());
  });
});

describe('audio-conv1d', () => {
  it('reads frames as a sequence with coefficients x channels as input channels, pooled over time', () => {
    const model = conv1d.build(input([98, 13, 2]), { filters: 16 }, 1);
    expect(model.getLayer('aconv1d_frames').outputShape).toEqual([null, 98, 26]);
    expect(model.getLayer('aconv1d_pool4').outputShape).toEqual([null, 6, 16]);
    expect(model.outputs[0]?.shape).toEqual([null, 16]);
    const flat = conv1d.build(input([98, 13, 1]), { filters: 4, blocks: 2, pool: 'flatten', embedding: 3 }, 1);
    expect(flat.getLayer('aconv1d_flatten').outputShape).toEqual([null, 24 * 4]);
    expect(flat.outputs[0]?.shape).toEqual([null, 3]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      model.predict(tf.ones([3, 98, 13, 2]));
    });
    expect(tf.memory().numTensors).toBe(before);
    [model, flat].forEach((m) => m.dispose());
    expect(() => conv1d.build(input([8, 13, 1]), { blocks: 4 }, 1)).toThrow(/needs at least 16 frames/);
  });

  it('widens only the last block with lastFilters, keeping the first weights of the same seed', () => {
    const narrow = conv1d.build(input([98, 13, 1]), { filters: 8 }, 5);
    const wide = conv1d.build(input([98, 13, 1]), { filters: 8, lastFilters: 12 }, 5);
    expect(wide.getLayer('aconv1d_pool3').outputShape).toEqual([null, 12, 8]);
    expect(wide.getLayer('aconv1d_pool4').outputShape).toEqual([null, 6, 12]);
    expect(wide.outputs[0]?.shape).toEqual([null, 12]);
    expect(wide.getLayer('aconv1d_conv4').getWeights()[0]?.shape).toEqual([5, 8, 12]);
    expect(weightsOf(wide)[0]).toEqual(weightsOf(narrow)[0]);
    [narrow, wide].forEach((m) => m.dispose());
    expect(() => conv1d.build(input([98, 13, 1]), { lastFilters: 0 }, 1)).toThrow(ConfigError);
  });

  it('is reproducible from the seed and round-trips through save/load', async () => {
    const a = conv1d.build(input([40, 13, 1]), { filters: 4 }, 9);
    const b = conv1d.build(input([40, 13, 1]), { filters: 4 }, 9);
    expect(weightsOf(a)).toEqual(weightsOf(b));
    const loaded = await roundTrip(a);
    const x = tf.randomUniform([2, 40, 13, 1], -1, 1, 'float32', 4);
    const [p, q] = [a, loaded].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(q!.dataSync())).toEqual(Array.from(p!.dataSync()));
    tf.dispose([x, p!, q!]);
    [a, b, loaded].forEach((m) => m.dispose());
  });
});
