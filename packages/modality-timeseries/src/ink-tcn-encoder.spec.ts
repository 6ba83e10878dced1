import { fileURLToPath } from 'node:url';
import { sampleShape, tf } from '@fewshot/core/plugin';
import { InkRaster } from './ink-raster.js';
import { InkTcnEncoder } from './ink-tcn-encoder.js';

const imageModel = fileURLToPath(new URL('../../../models/strokes/image', import.meta.url));

describe('InkRaster', () => {
  it('draws the pen-down path as ink 1 on 0, y up, and nothing where the pen is up', () => {
    // a horizontal stroke at y = 1 (pen down), then a jump (pen up) to a point at y = -1
    const x = tf.tensor3d([
      [
        [-1, 1, 1],
        [0, 1, 1],
        [1, 1, 1],
        [1, -1, 0],
        [1, -1, 1],
      ],
    ]);
    const img = new InkRaster({ size: 9, scale: 2, sigma: 0.5, penIndex: 2 }).apply(x) as tf.Tensor4D;
    expect(img.shape).toEqual([1, 9, 9, 1]);
    const px = (r: number, c: number) => img.dataSync()[r * 9 + c]!;
    // centre 4; y = 1 is row 2, x = -1..1 are columns 2..6
    for (let c = 2; c <= 6; c++) expect(px(2, c)).toBeGreaterThan(0.9);
    expect(px(6, 6)).toBeGreaterThan(0.9); // the last point, pen down
    expect(px(4, 6)).toBeLessThan(0.1); // half way down the jump: pen up
    expect(px(7, 1)).toBeLessThan(1e-3);
    tf.dispose([x, img]);
  });

  it('saves its settings', () => {
    const layer = new InkRaster({ size: 28, scale: 5.75, sigma: 0.5, penIndex: 4, name: 'ink' });
    expect(layer.getConfig()).toMatchObject({ size: 28, scale: 5.75, sigma: 0.5, penIndex: 4, name: 'ink' });
  });
});

describe('timeseries-ink-tcn', () => {
  it('starts as the image model on the drawn trajectory and leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    const shape = sampleShape([16, 5], ['time', 'channels']);
    const model = await new InkTcnEncoder().build(shape, { initFrom: imageModel, tcn: { blocks: 2, filters: 4 } }, 1);
    const x = tf.randomNormal([2, 16, 5], 0, 1, 'float32', 3);
    const y = model.predict(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 64]);
    // the temporal branch starts at zero: the output is the image branch's alone
    const temporal = model.getLayer('timeseries-ink-tcn_temporal');
    expect(tf.tidy(() => temporal.getWeights().map((w) => w.abs().max().dataSync()[0]))).toEqual([0, 0]);
    expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('names the option a bad pen channel comes from', async () => {
    const shape = sampleShape([16, 3], ['time', 'channels']);
    await expect(new InkTcnEncoder().build(shape, { initFrom: imageModel }, 1)).rejects.toThrow(
      /penChannel: 4 is not a feature of the 16x3/,
    );
  });
});
