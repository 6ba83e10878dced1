import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  PairModel,
  createContainer,
  foldBatchNorm,
  sampleShape,
  tf,
  type EncoderBuildContext,
} from '@fewshot/core';
import { FramePoolEncoder } from './frame-pool-encoder.js';

const factory = new FramePoolEncoder();
let context: EncoderBuildContext;
let dir: string;
const small = { frameOptions: { filters: 4, blocks: 2 } };
const shape = sampleShape([4, 8, 8, 1], ['time', 'height', 'width', 'channels']); // 4 frames of 8x8
const frameShape = (side: number) => sampleShape([side, side, 1], ['height', 'width', 'channels']);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-frame-pool-'));
  const c = await createContainer([], process.cwd());
  context = { registry: c.registry, baseDir: dir };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function roundTrip(model: tf.LayersModel): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(
      async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }),
    ),
  );
  return tf.loadLayersModel(tf.io.fromMemory(saved!));
}

describe('FramePoolEncoder', () => {
  it('builds the per-frame encoder through the registry and pools over time', async () => {
    const model = await factory.build(shape, { ...small, pooling: 'mean' }, 1, context);
    expect(model).toBeInstanceOf(tf.Sequential);
    expect(model.layers[0]!.name).toBe('frames_to_batch');
    expect(model.layers.some((l) => l.name === 'conv4_conv1')).toBe(true);
    expect(model.outputs[0]!.shape).toEqual([null, 16]); // 8x8 -> 2 blocks -> 2x2x4
    const concat = await factory.build(shape, { ...small, pooling: 'concat' }, 1, context);
    expect(concat.outputs[0]!.shape).toEqual([null, 64]);
    [model, concat].forEach((m) => m.dispose());
  });

  it('gives a clip of T copies of one frame (mean pooling) the per-frame embedding of that frame', async () => {
    const model = await factory.build(shape, { ...small, pooling: 'mean' }, 3, context);
    const frameModel = await context.registry.encoder('conv4').build(frameShape(8), small.frameOptions, 3, context);
    const frame = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 9);
    const clip = tf.tile(tf.expandDims(frame, 1), [1, 4, 1, 1, 1]);
    const [a, b] = tf.tidy(() => [
      (model.apply(clip, { training: false }) as tf.Tensor).dataSync(),
      (frameModel.apply(frame, { training: false }) as tf.Tensor).dataSync(),
    ]);
    expect(Array.from(a!).map((v) => v.toFixed(4))).toEqual(Array.from(b!).map((v) => v.toFixed(4)));
    tf.dispose([frame, clip]);
    model.dispose();
    frameModel.dispose();
  });

  it.each(['mean', 'max', 'last', 'concat', 'attention', 'conv', 'linear'] as const)(
    '%s: saves, loads back and folds batch norm with the same outputs',
    async (pooling) => {
      const model = await factory.build(shape, { ...small, pooling }, 5, context);
      const loaded = await roundTrip(model);
      const folded = foldBatchNorm(loaded);
      expect(folded).not.toBeNull();
      const x = tf.randomUniform([3, ...shape.dims], 0, 1, 'float32', 7);
      const [p, q, r] = [model, loaded, folded!].map((m) =>
        tf.tidy(() => (m.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array),
      );
      expect(Array.from(q!)).toEqual(Array.from(p!));
      r!.forEach((v, i) => expect(v).toBeCloseTo(p![i]!, 4));
      tf.dispose(x);
      [model, loaded, folded!].forEach((m) => m.dispose());
    },
  );

  it("frameInput 'differences': T+1 per-frame inputs, starting as the last frame with linear pooling; saves and loads", async () => {
    const model = await factory.build(shape, { ...small, pooling: 'linear', frameInput: 'differences' }, 6, context);
    expect(model.layers[0]!.name).toBe('frame_differences');
    expect(model.inputs[0]!.shape).toEqual([null, ...shape.dims]);
    expect(model.getLayer('temporal_pool').getWeights()[0]!.shape).toEqual([5 * 16, 16]); // (T+1) x d -> d
    const last = await factory.build(shape, { ...small, pooling: 'last' }, 6, context);
    const x = tf.randomUniform([2, ...shape.dims], 0, 1, 'float32', 8);
    const [a, b] = [model, last].map((m) =>
      tf.tidy(() => (m.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array),
    );
    b!.forEach((v, i) => expect(v).toBeCloseTo(a![i]!, 5)); // W = 0: the whole last frame's embedding
    const loaded = await roundTrip(model);
    expect(loaded.layers[0]!.getClassName()).toBe('FewshotFrameDifferences');
    const c = tf.tidy(() => (loaded.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array);
    expect(Array.from(c)).toEqual(Array.from(a!));
    await expect(factory.build(shape, { ...small, frameInput: 'deltas' }, 1, context)).rejects.toThrow(
      /model\.encoderOptions\.frameInput/,
    );
    tf.dispose(x);
    [model, last, loaded].forEach((m) => m.dispose());
  });

  it('trains: every weight gets a gradient, no tensor is left behind', async () => {
    const model = await factory.build(shape, { ...small, pooling: 'conv' }, 2, context);
    const x = tf.randomUniform([4, ...shape.dims], 0, 1, 'float32', 3);
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.mean(tf.square(model.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar,
      vars,
    );
    expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
    for (const g of Object.values(grads)) expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    model.dispose();
  });

  it('takes the per-frame CNN, weights included, from a trained model folder (initFrom)', async () => {
    const frame = await context.registry.encoder('conv4').build(frameShape(8), small.frameOptions, 11, context);
    const image = PairModel.create(
      frame,
      'contrastive',
      {
        kind: 'siamese',
        encoder: 'conv4',
        modality: 'image',
        preprocess: { height: 8, width: 8 },
        inputShape: [8, 8, 1],
        margin: 1,
        plugins: [],
        backend: tf.getBackend(),
      },
      11,
    );
    await image.save(join(dir, 'image-model'));
    const model = await factory.build(shape, { initFrom: 'image-model' }, 99, context); // relative to context.baseDir
    const want = frame.getLayer('conv4_conv2').getWeights()[0]!.dataSync();
    expect(Array.from(model.getLayer('conv4_conv2').getWeights()[0]!.dataSync())).toEqual(Array.from(want));
    model.dispose();
    image.dispose();
    await expect(
      factory.build(
        sampleShape([4, 16, 16, 1], ['time', 'height', 'width', 'channels']),
        { initFrom: 'image-model' },
        1,
        context,
      ),
    ).rejects.toThrow(/takes 8x8x1 inputs, but the frames are 16x16x1/);
    await expect(
      factory.build(shape, { initFrom: 'image-model', frameOptions: { filters: 2 } }, 1, context),
    ).rejects.toThrow(ConfigError);
    await expect(factory.build(shape, { initFrom: 'no-such-model' }, 1, context)).rejects.toThrow(
      /not a fewshot model folder/,
    );
  });

  it('freezes the per-frame CNN on request: batch norm folded in, only the pooling trains, the same function', async () => {
    const trainable = await factory.build(shape, { ...small, pooling: 'conv', convBase: 'last' }, 4, context);
    const frozen = await factory.build(
      shape,
      { ...small, pooling: 'conv', convBase: 'last', freezeFrames: true },
      4,
      context,
    );
    expect(frozen.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
    expect(frozen.trainableWeights.map((w) => w.name).every((n) => n.startsWith('temporal_pool'))).toBe(true);
    expect(frozen.trainableWeights).toHaveLength(2);
    const x = tf.randomUniform([2, ...shape.dims], 0, 1, 'float32', 1);
    const [a, b] = [trainable, frozen].map((m) =>
      tf.tidy(() => (m.apply(x, { training: false }) as tf.Tensor).dataSync() as Float32Array),
    );
    b!.forEach((v, i) => expect(v).toBeCloseTo(a![i]!, 4));
    // in training mode too (no batch statistics in the frozen part)
    const c = tf.tidy(() => (frozen.apply(x, { training: true }) as tf.Tensor).dataSync() as Float32Array);
    c.forEach((v, i) => expect(v).toBeCloseTo(b![i]!, 5));
    const loaded = await roundTrip(frozen);
    expect(loaded.trainableWeights).toHaveLength(2);
    tf.dispose(x);
    [trainable, frozen, loaded].forEach((m) => m.dispose());
  });

  it('rejects bad options and inputs that are not [time, height, width, channels] clips', async () => {
    await expect(factory.build(shape, { pooling: 'median' }, 1, context)).rejects.toThrow(
      /model\.encoderOptions\.pooling/,
    );
    await expect(
      factory.build(sampleShape([32, 8, 1], ['height', 'width', 'channels']), small, 1, context),
    ).rejects.toThrow(ConfigError);
    await expect(
      factory.build(sampleShape([32, 8, 1], ['height', 'width', 'channels']), small, 1, context),
    ).rejects.toThrow(
      /takes \[time, height, width, channels\] clips, but the samples are 32x8x1 \(height, width, channels\)/,
    );
    await expect(factory.build(shape, { frameEncoder: 'audio-conv1d' }, 1, context)).rejects.toThrow(
      /not an image encoder|no loaded plugin/,
    );
    await expect(factory.build(shape, small, 1)).rejects.toThrow(/through the registry, which was not given/);
  });
});
