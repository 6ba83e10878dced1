import { ConfigError, tf } from '@fewshot/core/plugin';
import { KochEncoder } from './koch-encoder.js';
import { sampleShape as named } from '@fewshot/core/plugin';

const input = (dims: number[]) => named(dims, ['height', 'width', 'channels']);

const factory = new KochEncoder();

describe('KochEncoder', () => {
  it('is the network of Koch et al. 2015: 105x105x1 -> 4096, 38,951,745 parameters with the L1 head', () => {
    const model = factory.build(input([105, 105, 1]), {}, 1);
    expect(model.name).toBe('encoder');
    expect(model.outputs[0]?.shape).toEqual([null, 4096]);
    expect(model.getLayer('koch_flatten').outputShape).toEqual([null, 6 * 6 * 256]);
    // the paper counts the final weighted-L1 unit too: 4096 weights + 1 bias
    expect(model.countParams() + 4097).toBe(38_951_745);
    model.dispose();
  });

  it('embeds a batch to [n, 4096] in (0, 1) (sigmoid)', () => {
    // widthScale keeps the convs cheap; the embedding keeps its paper size
    const model = factory.build(input([105, 105, 1]), { widthScale: 0.125 }, 1);
    const y = tf.tidy(() => model.predict(tf.randomUniform([2, 105, 105, 1], 0, 1, 'float32', 1)) as tf.Tensor);
    expect(y.shape).toEqual([2, 4096]);
    const v = y.dataSync();
    expect(Math.min(...v)).toBeGreaterThan(0);
    expect(Math.max(...v)).toBeLessThan(1);
    y.dispose();
    model.dispose();
  });

  it('scales the width, sets the embedding size and seeds every kernel', () => {
    const build = (seed: number): tf.LayersModel =>
      factory.build(input([105, 105, 1]), { widthScale: 0.25, embedding: 16 }, seed);
    const [a, b, c] = [build(4), build(4), build(5)];
    expect(a.getLayer('koch_conv1').getWeights()[0]!.shape).toEqual([10, 10, 1, 16]);
    expect(a.getLayer('koch_conv4').getWeights()[0]!.shape).toEqual([4, 4, 32, 64]);
    expect(a.outputs[0]?.shape).toEqual([null, 16]);
    const w = (m: tf.LayersModel): Float32Array[] => m.getWeights().map((t) => t.dataSync() as Float32Array);
    expect(w(a)).toEqual(w(b));
    w(a).forEach((wa, i) => {
      if (wa.some((v) => v !== 0)) expect(wa).not.toEqual(w(c)[i]); // kernels differ; zero biases do not
    });
    [a, b, c].forEach((m) => m.dispose());
  });

  it('refuses inputs too small for its valid convolutions, and unknown options', () => {
    expect(() => factory.build(input([28, 28, 1]), {}, 1)).toThrow(ConfigError);
    expect(() => factory.build(input([28, 28, 1]), {}, 1)).toThrow(/koch needs inputs of at least \d+x\d+, got 28x28/);
    expect(() => factory.build(input([105, 105, 1]), { width: 2 }, 1)).toThrow(/model\.encoderOptions/);
  });
});
