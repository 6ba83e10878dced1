import { tf } from '@fewshot/core/plugin';
import { FrameDifferences, FramesToBatch, InkTimeMap, TemporalPool } from './frame-layers.js';

/** Clip b, frame t, pixel value 100 * b + t (2 clips of 3 frames of 2x2). */
function clips(): tf.Tensor4D {
  const data = new Float32Array(2 * 6 * 2);
  for (let b = 0; b < 2; b++)
    for (let t = 0; t < 3; t++) for (let p = 0; p < 4; p++) data[b * 12 + t * 4 + p] = 100 * b + t;
  return tf.tensor4d(data, [2, 6, 2, 1]);
}

describe('FramesToBatch', () => {
  it('turns [B, T*S, S, C] into [B*T, S, S, C], clip-major', () => {
    const layer = new FramesToBatch({ frames: 3 });
    const x = clips();
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([6, 2, 2, 1]);
    expect(Array.from(tf.tidy(() => tf.max(y, [1, 2, 3]).dataSync()))).toEqual([0, 1, 2, 100, 101, 102]);
    expect(layer.computeOutputShape([null, 6, 2, 1])).toEqual([null, 2, 2, 1]);
    expect(() => layer.computeOutputShape([null, 7, 2, 1])).toThrow(/not a multiple of 3 frames/);
    expect(layer.getConfig()['frames']).toBe(3);
    tf.dispose([x, y]);
  });
});

describe('FrameDifferences', () => {
  it('gives the ink each frame adds (never negative), then the whole last frame', () => {
    // one clip of 3 frames of 1x2 pixels: ink appears left, then right; the left pixel fades a little
    const x = tf.tensor5d([1, 0, 0.75, 1, 0.75, 1], [1, 3, 1, 2, 1]);
    const layer = new FrameDifferences({ frames: 3 });
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 4, 1, 2, 1]);
    expect(Array.from(y.dataSync())).toEqual([1, 0, 0, 1, 0, 0, 0.75, 1]);
    expect(layer.computeOutputShape([null, 3, 1, 2, 1])).toEqual([null, 4, 1, 2, 1]);
    expect(() => layer.computeOutputShape([null, 4, 1, 2, 1])).toThrow(/clips of 4 frames, expected 3/);
    expect(() => layer.computeOutputShape([null, 3, 2, 1])).toThrow(/expected \[batch, time, height/);
    expect(layer.getConfig()['frames']).toBe(3);
    // a still clip (every frame the finished drawing): all its ink in the first part, then the whole
    const still = tf.tensor5d([0.5, 1, 0.5, 1, 0.5, 1], [1, 3, 1, 2, 1]);
    const z = layer.apply(still) as tf.Tensor;
    expect(Array.from(z.dataSync())).toEqual([0.5, 1, 0, 0, 0, 0, 0.5, 1]);
    tf.dispose([x, y, still, z]);
  });
});

describe('InkTimeMap', () => {
  it('gives the last frame, then how late each pixel was inked (last frame minus the mean frame)', () => {
    // one clip of 4 frames of 1x3 pixels: the left pixel inked from the start, the middle from frame 3,
    // the right never; then a still clip (4 copies of the finished drawing)
    const x = tf.tensor5d([1, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0], [1, 4, 1, 3, 1]);
    const layer = new InkTimeMap({ frames: 4 });
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([1, 1, 3, 2]);
    expect(Array.from(y.dataSync())).toEqual([1, 0, 1, 0.5, 0, 0]); // [last, late] per pixel
    const still = tf.tensor5d([1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1, 0], [1, 4, 1, 3, 1]);
    const z = layer.apply(still) as tf.Tensor;
    expect(Array.from(z.dataSync())).toEqual([1, 0, 1, 0, 0, 0]);
    expect(layer.computeOutputShape([null, 4, 28, 28, 1])).toEqual([null, 28, 28, 2]);
    expect(() => layer.computeOutputShape([null, 8, 28, 28, 1])).toThrow(/clips of 8 frames, expected 4/);
    expect(() => layer.computeOutputShape([null, 28, 28, 1])).toThrow(/expected \[batch, time, height/);
    expect(() => new InkTimeMap({ frames: 0 })).toThrow(/frames must be a positive integer/);
    expect(layer.getConfig()['frames']).toBe(4);
    tf.dispose([x, y, still, z]);
  });
});

describe('TemporalPool', () => {
  const emb = (): tf.Tensor2D =>
    tf.tensor2d([
      [1, 10],
      [2, 20],
      [6, 60],
      [0, -1],
      [0, -2],
      [3, -3],
    ]); // 2 clips x 3 frames x 2

  it('mean, max, last and concat over the frames of each clip', () => {
    const x = emb();
    const out = (mode: 'mean' | 'max' | 'last' | 'concat'): number[][] =>
      tf.tidy(() => (new TemporalPool({ frames: 3, mode }).apply(x) as tf.Tensor).arraySync() as number[][]);
    expect(out('mean')).toEqual([
      [3, 30],
      [1, -2],
    ]);
    expect(out('max')).toEqual([
      [6, 60],
      [3, -1],
    ]);
    expect(out('last')).toEqual([
      [6, 60],
      [3, -3],
    ]);
    expect(out('concat')).toEqual([
      [1, 10, 2, 20, 6, 60],
      [0, -1, 0, -2, 3, -3],
    ]);
    expect(new TemporalPool({ frames: 3, mode: 'concat' }).computeOutputShape([null, 2])).toEqual([null, 6]);
    x.dispose();
  });

  it('attention is a convex combination of the frames; conv starts near the mean and sees the order', () => {
    const x = emb();
    const att = new TemporalPool({ frames: 3, mode: 'attention', units: 4, seed: 1 });
    const a = tf.tidy(() => (att.apply(x) as tf.Tensor).arraySync() as number[][]);
    expect(att.trainableWeights.map((w) => w.shape)).toEqual([[2, 4], [4], [4, 1]]);
    expect(a[0]![0]).toBeGreaterThanOrEqual(1);
    expect(a[0]![0]).toBeLessThanOrEqual(6);
    expect(a[0]![1]! / a[0]![0]!).toBeCloseTo(10, 4); // same weights on both features of a frame
    const conv = new TemporalPool({ frames: 3, mode: 'conv', kernel: 3, seed: 1 });
    const c = tf.tidy(() => (conv.apply(x) as tf.Tensor).arraySync() as number[][]);
    expect(conv.trainableWeights.map((w) => w.shape)).toEqual([[3, 2, 2], [2]]);
    expect(c[0]![0]).toBeGreaterThanOrEqual(3); // mean + ReLU(...) >= mean
    // a kernel that passes feature 0 of the next frame: clip 1 (1, 2, 6) -> mean(1 + 2, 2 + 6, 6 + 0) = 17 / 3;
    // the frames reversed (6, 2, 1) -> mean(6 + 2, 2 + 1, 1 + 0) = 4: the order matters (the mean is 3 either way)
    const kernel = tf.buffer([3, 2, 2]);
    kernel.set(1, 2, 0, 0);
    conv.setWeights([kernel.toTensor(), tf.zeros([2])]);
    const reversed = tf.tensor2d([
      [6, 60],
      [2, 20],
      [1, 10],
      [3, -3],
      [0, -2],
      [0, -1],
    ]);
    const [f, r] = [x, reversed].map((t) => tf.tidy(() => (conv.apply(t) as tf.Tensor).arraySync() as number[][]));
    expect(f![0]![0]).toBeCloseTo(17 / 3, 5);
    expect(r![0]![0]).toBeCloseTo(4, 5);
    // on the last frame instead: clip 1 -> 6 + mean(relu(2, 6, 0)) = 6 + 8 / 3
    const onLast = new TemporalPool({ frames: 3, mode: 'conv', kernel: 3, base: 'last', seed: 1 });
    onLast.apply(x);
    onLast.setWeights(conv.getWeights());
    expect(tf.tidy(() => (onLast.apply(x) as tf.Tensor).arraySync() as number[][])[0]![0]).toBeCloseTo(6 + 8 / 3, 5);
    tf.dispose([x, reversed]);
  });

  it('linear starts as the last frame and learns a linear map of all frames in order', () => {
    const x = emb();
    const layer = new TemporalPool({ frames: 3, mode: 'linear' });
    expect(tf.tidy(() => (layer.apply(x) as tf.Tensor).arraySync())).toEqual([
      [6, 60],
      [3, -3],
    ]);
    expect(layer.trainableWeights.map((w) => w.shape)).toEqual([[6, 2], [2]]);
    const w = tf.buffer([6, 2]);
    w.set(1, 0, 0); // output feature 0 += feature 0 of the first frame
    layer.setWeights([w.toTensor(), tf.tensor1d([0, 0.5])]);
    expect(tf.tidy(() => (layer.apply(x) as tf.Tensor).arraySync())).toEqual([
      [7, 60.5],
      [3, -2.5],
    ]);
    x.dispose();
  });

  it('rejects an unknown mode', () => {
    expect(() => new TemporalPool({ frames: 2, mode: 'median' as never })).toThrow(/unknown mode 'median'/);
  });
});
