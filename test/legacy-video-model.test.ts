import path from 'node:path';
import { PairModel, Rng, SampleStore, sampleShape, tf } from '@fewshot/core';
import '@fewshot/modality-video'; // registers the frame layers the saved encoder uses
import { REPO_ROOT } from './shared-data.js';

/**
 * Video models saved before named sample shapes took [T*S, S, C] inputs (the frames stacked
 * vertically); the video modality now decodes [time, height, width, channels] rows with the same values
 * in the same order. A model reshapes each row to its own saved input shape, so it embeds them exactly
 * as before. The fixture is models/drawing-videos as shipped on 2026-11-28 (encoder, head, fewshot.json).
 */
const LEGACY = path.join(REPO_ROOT, 'test', 'fixtures', 'legacy-video-model');

describe('a video model saved for [T*S, S, C] inputs, on [time, height, width, channels] rows', () => {
  it('embeds them to the same values as the same rows held as [T*S, S, C]', async () => {
    const model = await PairModel.load(LEGACY);
    try {
      expect(model.meta.inputShape).toEqual([224, 28, 1]);
      expect(model.inputDims).toEqual([224, 28, 1]);
      const rng = new Rng(4);
      const n = 5;
      const data = Float32Array.from({ length: n * 8 * 28 * 28 }, () => (rng.next() < 0.15 ? 1 : 0));
      const clips = new SampleStore(sampleShape([8, 28, 28, 1], ['time', 'height', 'width', 'channels']), data);
      const stacked = new SampleStore(sampleShape([224, 28, 1], ['height', 'width', 'channels']), data);
      const rows = [0, 1, 2, 3, 4];
      const before = tf.memory().numTensors;
      const now = model.embed(clips, rows);
      const then = model.embed(stacked, rows);
      expect(tf.memory().numTensors).toBe(before);
      expect(now.length).toBe(n * model.meta.embeddingSize);
      expect([...now]).toEqual([...then]);
      // and what the saved encoder computes on the [T*S, S, C] tensor itself (no folding): the same within float error
      const direct = tf.tidy(() =>
        (model.encoder.apply(tf.tensor4d(data, [n, 224, 28, 1]), { training: false }) as tf.Tensor).dataSync(),
      );
      let diff = 0;
      direct.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - now[i]!))));
      expect(diff).toBeLessThan(1e-4);
      // distinct clips get distinct embeddings (the check above is not vacuous)
      expect([...now.subarray(0, 64)]).not.toEqual([...now.subarray(64, 128)]);
    } finally {
      model.dispose();
    }
  });

  it('refuses rows of another size, naming both shapes', async () => {
    const model = await PairModel.load(LEGACY);
    try {
      const store = new SampleStore(
        sampleShape([4, 28, 28, 1], ['time', 'height', 'width', 'channels']),
        new Float32Array(4 * 784),
      );
      expect(() => model.embed(store, [0])).toThrow(
        /takes inputs of 224x28x1 = 6272 values, but the data's samples are 4x28x28x1 = 3136 values/,
      );
    } finally {
      model.dispose();
    }
  });
});
