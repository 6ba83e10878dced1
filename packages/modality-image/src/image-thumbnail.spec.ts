import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { DataError } from '@fewshot/core/plugin';
import { ImageModality } from './image-modality.js';
import { imagePreprocessSchema } from './image-preprocess.js';

const dir = mkdtempSync(join(tmpdir(), 'fewshot-image-thumb-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ImageModality.thumbnail', () => {
  it('shrinks a large picture to 96 pixels on its long side, keeps its look (not inverted)', async () => {
    // 200x100 grey: black left half, white right half
    const data = new Uint8Array(200 * 100).map((_, i) => (i % 200 < 100 ? 0 : 255));
    const file = join(dir, 'half.png');
    writeFileSync(file, encode({ width: 200, height: 100, data, channels: 1, depth: 8 }));
    const pic = await new ImageModality().thumbnail(
      { id: 'half', path: file, label: 'x' },
      imagePreprocessSchema.parse({ size: 28 }),
    );
    expect([pic.width, pic.height, pic.channels]).toEqual([96, 48, 1]);
    expect(pic.data[0]).toBe(0);
    expect(pic.data[95]).toBe(255);
  });

  it('keeps a small picture at its size, in RGB when the preprocess asks for it', async () => {
    const data = new Uint8Array(4 * 2 * 3).fill(200);
    const file = join(dir, 'small.png');
    writeFileSync(file, encode({ width: 4, height: 2, data, channels: 3, depth: 8 }));
    const pic = await new ImageModality().thumbnail(
      { id: 'small', path: file, label: 'x' },
      imagePreprocessSchema.parse({ size: 28, channels: 3 }),
    );
    expect([pic.width, pic.height, pic.channels, [...pic.data.subarray(0, 3)]]).toEqual([4, 2, 3, [200, 200, 200]]);
    await expect(
      new ImageModality().thumbnail(
        { id: 'm', path: join(dir, 'missing.png'), label: 'x' },
        imagePreprocessSchema.parse({}),
      ),
    ).rejects.toThrow(DataError);
  });
});
