import { buildModel, createContainer, forwardFlops, openExperiment, parseConfigText, sampleShape } from '@fewshot/core';

describe('image encoders through the registry', () => {
  it('loads the built-in image plugin and counts Conv-4 FLOPs exactly', async () => {
    const c = await createContainer([]);
    expect(c.registry.modality('image').layouts).toEqual(expect.arrayContaining(['omniglot', 'folder']));
    const conv4 = await c.registry
      .encoder('conv4')
      .build(sampleShape([28, 28, 1], ['height', 'width', 'channels']), {}, 1);
    // 2 x (28*28*64*9*1 + 14*14*64*9*64 + 7*7*64*9*64 + 3*3*64*9*64)
    expect(forwardFlops(conv4)).toBe(
      2 * (28 * 28 * 64 * 9 + 14 * 14 * 64 * 9 * 64 + 7 * 7 * 64 * 9 * 64 + 3 * 3 * 64 * 9 * 64),
    );
    expect(conv4.outputs[0]!.shape).toEqual([null, 64]);
    conv4.dispose();
  });

  it('suggests the closest encoder for a misspelt id', async () => {
    const c = await createContainer([]);
    expect(() => c.registry.encoder('conv5')).toThrow(/no loaded plugin provides the encoder 'conv5'/);
    try {
      c.registry.encoder('conv5');
    } catch (e) {
      expect((e as { hints: string[] }).hints.join(' ')).toMatch(/did you mean 'conv4'/);
    }
  });
});

describe('buildModel', () => {
  it("initialises weights from the seed it is given (the config's by default): ensemble members differ", async () => {
    const exp = await openExperiment(
      parseConfigText('seed: 5\nbackend: cpu\nmodality: image\ndata: { preprocess: { size: 28 } }\n', '<test>'),
    );
    const weights = async (seed?: number) => {
      const m = seed === undefined ? await buildModel(exp) : await buildModel(exp, seed);
      const w = Array.from(m.encoder.getWeights()[0]!.dataSync());
      m.dispose();
      return w;
    };
    const byDefault = await weights();
    expect(await weights(5)).toEqual(byDefault);
    expect(await weights(6)).not.toEqual(byDefault);
  });
});
