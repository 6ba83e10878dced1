import { ConfigError, tf } from '@fewshot/core/plugin';
import { Conv4Encoder } from './conv4-encoder.js';
import { sampleShape as named } from '@fewshot/core/plugin';

const input = (dims: number[]) => named(dims, ['height', 'width', 'channels']);

const factory = new Conv4Encoder();

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

describe('Conv4Encoder', () => {
  it('maps 28x28x1 to 64-d through 4 blocks, layers named conv4_*', () => {
    const model = factory.build(input([28, 28, 1]), {}, 1);
    expect(model.name).toBe('encoder');
    expect(model.outputs[0]?.shape).toEqual([null, 64]);
    expect(model.layers.map((l) => l.name).slice(0, 4)).toEqual([
      'conv4_conv1',
      'conv4_bn1',
      'conv4_relu1',
      'conv4_pool1',
    ]);
    expect(model.layers.every((l) => l.name.startsWith('conv4_'))).toBe(true);
    const before = tf.memory().numTensors;
    const shape = tf.tidy(() => (model.predict(tf.ones([3, 28, 28, 1])) as tf.Tensor).shape);
    expect(shape).toEqual([3, 64]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('honours filters, blocks and embedding', () => {
    const big = factory.build(input([64, 64, 3]), { filters: 8, blocks: 5, embedding: 10 }, 1);
    expect(big.outputs[0]?.shape).toEqual([null, 10]);
    expect(big.getLayer('conv4_conv5')).toBeDefined();
    expect(big.getLayer('conv4_flatten').outputShape).toEqual([null, 2 * 2 * 8]);
    big.dispose();
    expect(() => factory.build(input([28, 28, 1]), { blocks: 5 }, 1)).toThrow(
      'conv4 with 5 blocks needs inputs of at least 32x32, got 28x28',
    );
    expect(() => factory.build(input([28, 28, 1]), { filter: 8 }, 1)).toThrow(ConfigError);
    expect(() => factory.build(input([28, 28, 1]), { embedding: 0 }, 1)).toThrow(/model\.encoderOptions\.embedding/);
    const clip = named([4, 28, 28, 1], ['time', 'height', 'width', 'channels']);
    expect(() => factory.build(clip, {}, 1)).toThrow(ConfigError);
    expect(() => factory.build(clip, {}, 1)).toThrow(
      'the conv4 encoder takes [height, width, channels] images, but the samples are 4x28x28x1 (time, height, width, channels)',
    );
  });

  it('widens only the last block with lastFilters', () => {
    const wide = factory.build(input([28, 28, 1]), { filters: 8, lastFilters: 24, finalPool: 'global-avg' }, 1);
    expect(wide.outputs[0]?.shape).toEqual([null, 24]);
    expect(wide.getLayer('conv4_conv3').outputShape).toEqual([null, 7, 7, 8]);
    expect(wide.getLayer('conv4_conv4').outputShape).toEqual([null, 3, 3, 24]);
    wide.dispose();
    expect(() => factory.build(input([28, 28, 1]), { lastFilters: 0 }, 1)).toThrow(
      /model\.encoderOptions\.lastFilters/,
    );
  });

  it('reduces the last feature map as finalPool says', () => {
    const names = (m: tf.LayersModel): string[] => m.layers.map((l) => l.name);
    const none = factory.build(input([28, 28, 1]), { finalPool: 'none' }, 1);
    expect(none.outputs[0]?.shape).toEqual([null, 576]); // 3x3x64: the row and column 'max' drops are kept
    expect(names(none)).toContain('conv4_pool3');
    expect(names(none)).not.toContain('conv4_pool4');
    none.dispose();
    for (const finalPool of ['global-max', 'global-avg'] as const) {
      const g = factory.build(input([28, 28, 1]), { finalPool }, 1);
      expect(g.outputs[0]?.shape).toEqual([null, 64]);
      expect(names(g)).not.toContain('conv4_pool4');
      expect(names(g).at(-1)).toBe('conv4_global_pool');
      g.dispose();
    }
    const small = factory.build(input([8, 8, 1]), { finalPool: 'none', filters: 4 }, 1);
    expect(small.outputs[0]?.shape).toEqual([null, 4]);
    small.dispose();
    expect(() => factory.build(input([4, 4, 1]), { finalPool: 'none' }, 1)).toThrow('needs inputs of at least 8x8');
    expect(() => factory.build(input([28, 28, 1]), { finalPool: 'avg' }, 1)).toThrow(
      /model\.encoderOptions\.finalPool/,
    );
  });

  it('gives the same initial weights for the same seed, different ones otherwise', () => {
    const a = factory.build(input([28, 28, 1]), { filters: 8 }, 7);
    const b = factory.build(input([28, 28, 1]), { filters: 8 }, 7);
    const c = factory.build(input([28, 28, 1]), { filters: 8 }, 8);
    const [wa, wb, wc] = [a, b, c].map(weightsOf);
    expect(wa).toEqual(wb);
    expect(wa![0]).not.toEqual(wc![0]);
    // within one model, same-shaped kernels start differently
    const k2 = a.getLayer('conv4_conv2').getWeights()[0]!.dataSync();
    const k3 = a.getLayer('conv4_conv3').getWeights()[0]!.dataSync();
    expect(k2).not.toEqual(k3);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('saves and loads back with tf.loadLayersModel', async () => {
    const model = factory.build(input([28, 28, 1]), { filters: 4, embedding: 5 }, 3);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 5);
    const [p, q] = [model, loaded].map((m) => m.predict(x) as tf.Tensor);
    expect(Array.from(q!.dataSync())).toEqual(Array.from(p!.dataSync()));
    tf.dispose([x, p!, q!]);
    model.dispose();
    loaded.dispose();
  });
});
