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

/** `frame` saved as a trained image model (a pair model of it) in `dir/name`, as `initFrom` reads it. */
async function saveImageModel(frame: tf.LayersModel, name: string, seed: number): Promise<PairModel> {
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
    seed,
  );
  await image.save(join(dir, name));
  return image;
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
    const image = await saveImageModel(frame, 'image-model', 11);
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

  it("frameInput 'time-map': one CNN pass a clip; from initFrom it starts as the image model on the last frame", async () => {
    const frame = await context.registry.encoder('conv4').build(frameShape(8), small.frameOptions, 12, context);
    const image = await saveImageModel(frame, 'time-map-image', 12);
    const model = await factory.build(shape, { initFrom: 'time-map-image', frameInput: 'time-map' }, 5, context);
    expect(model.layers[0]!.name).toBe('ink_time_map');
    expect(model.layers.some((l) => l.getClassName() === 'FewshotTemporalPool')).toBe(false);
    expect(model.getLayer('conv4_conv1').getWeights()[0]!.shape).toEqual([3, 3, 2, 4]);
    // a drawing: frame t holds the ink of the first t+1 quarters of the last frame
    const last = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 3);
    const clip = tf.tidy(() => {
      const order = tf.randomUniform([1, 8, 8, 1], 0, 4, 'float32', 4);
      return tf.stack(
        [0, 1, 2, 3].map((t) => tf.mul(last, tf.cast(tf.less(order, t + 1), 'float32'))),
        1,
      );
    });
    const still = tf.tile(tf.expandDims(last, 1), [1, 4, 1, 1, 1]);
    const [onClip, onStill, want] = tf.tidy(() => [
      (model.apply(clip, { training: false }) as tf.Tensor).dataSync(),
      (model.apply(still, { training: false }) as tf.Tensor).dataSync(),
      (frame.apply(last, { training: false }) as tf.Tensor).dataSync(),
    ]);
    // the new channel's weights start at zero: the clip and its last frame embed as the image model's
    onClip!.forEach((v, i) => expect(v).toBeCloseTo(want![i]!, 5));
    onStill!.forEach((v, i) => expect(v).toBeCloseTo(want![i]!, 5));
    // it learns: the new channel's weights get a gradient, and the model saves and loads
    const kernel = (model.getLayer('conv4_conv1').trainableWeights[0] as unknown as { val: tf.Variable }).val;
    const grads = tf.variableGrads(
      () => tf.mean(tf.square(model.apply(tf.concat([clip, still]), { training: true }) as tf.Tensor)) as tf.Scalar,
      [kernel],
    );
    const g = grads.grads[kernel.name]!;
    expect(tf.tidy(() => tf.max(tf.abs(tf.slice(g, [0, 0, 1, 0], [3, 3, 1, 4]))).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    const loaded = await roundTrip(model); // (training mode moved the batch-norm statistics: compare afresh)
    const [now, again] = [model, loaded].map((m) =>
      tf.tidy(() => (m.apply(clip, { training: false }) as tf.Tensor).dataSync()),
    );
    again!.forEach((v, i) => expect(v).toBeCloseTo(now![i]!, 5));
    // bad combinations name the option
    await expect(
      factory.build(shape, { initFrom: 'time-map-image', frameInput: 'time-map', pooling: 'linear' }, 1, context),
    ).rejects.toThrow(/model\.encoderOptions\.pooling: not used with frameInput: time-map/);
    await expect(
      factory.build(shape, { initFrom: 'time-map-image', frameInput: 'time-map', freezeFrames: true }, 1, context),
    ).rejects.toThrow(/model\.encoderOptions\.freezeFrames/);
    // without initFrom: a fresh per-frame encoder on two channels
    const fresh = await factory.build(shape, { ...small, frameInput: 'time-map' }, 1, context);
    expect(fresh.getLayer('conv4_conv1').getWeights()[0]!.shape).toEqual([3, 3, 2, 4]);
    expect(fresh.outputs[0]!.shape).toEqual([null, 16]);
    tf.dispose([last, clip, still]);
    [model, loaded, fresh, image].forEach((m) => m.dispose());
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
