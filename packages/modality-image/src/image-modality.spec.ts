import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { ConfigError, DataError, type SampleRef } from '@fewshot/core/plugin';
import type { ImagePreprocess } from './image-preprocess.js';
import { ImageModality } from './image-modality.js';

const modality = new ImageModality();
const parse = (v: unknown): ImagePreprocess => modality.preprocessSchema.parse(v);
const ref = (path: string): SampleRef => ({ id: path, path, label: 'x' });

let dir: string;
let halfBlack: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-modality-'));
  // 8x8: left half white, right half black
  const data = Uint8Array.from({ length: 64 }, (_, i) => (i % 8 < 4 ? 255 : 0));
  halfBlack = join(dir, 'half.png');
  await writeFile(halfBlack, encodePng({ width: 8, height: 8, channels: 1, depth: 8, data }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ImageModality', () => {
  it('describes itself', () => {
    expect(modality.id).toBe('image');
    expect(modality.layouts).toEqual(['omniglot', 'folder']);
    expect(modality.defaultEncoder).toBe('conv4');
  });

  it('fills preprocessing defaults and parses its own output to the same object', () => {
    const pre = parse({});
    expect(pre).toEqual({ height: 28, width: 28, channels: 1, invert: true, normalize: 'unit' });
    expect(parse(pre)).toEqual(pre);
    expect(modality.sampleShape(parse({ size: 105 }))).toEqual({
      dims: [105, 105, 1],
      names: ['height', 'width', 'channels'],
    });
    expect(modality.sampleShape(parse({ height: 32, width: 64, channels: 3 })).dims).toEqual([32, 64, 3]);
    expect(modality.storesAsUint8(parse({}))).toBe(true);
    expect(modality.storesAsUint8(parse({ normalize: 'none' }))).toBe(false);
  });

  it('rejects bad preprocessing settings', () => {
    expect(() => parse({ size: 3 })).toThrow();
    expect(() => parse({ channels: 2 })).toThrow();
    expect(() => parse({ size: 28, height: 28, width: 28 })).toThrow(/either size or height and width/);
    expect(() => parse({ height: 28 })).toThrow(/width is required/);
    expect(() => parse({ sise: 28 })).toThrow(/sise/);
    expect(() => parse({ size: 1000 })).toThrow(/size/);
  });

  it('decodes to [height, width, channels] of sampleShape, white -> 0 and black -> 1 after invert', async () => {
    const x = await modality.decode(ref(halfBlack), parse({ size: 4 }));
    expect([...x]).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
    const plain = await modality.decode(ref(halfBlack), parse({ size: 4, invert: false, channels: 3 }));
    expect(plain.length).toBe(4 * 4 * 3);
    expect([...plain.subarray(0, 12)]).toEqual([1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const bytes = await modality.decode(ref(halfBlack), parse({ height: 4, width: 8, normalize: 'none' }));
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 0, 0, 255, 255, 255, 255]);
  });

  it('resamples to the requested size (area average down, bilinear up)', async () => {
    const x = await modality.decode(ref(halfBlack), parse({ height: 4, width: 5 }));
    expect(x.length).toBe(20);
    // columns 0..4 cover input [0,1.6), [1.6,3.2), [3.2,4.8), [4.8,6.4), [6.4,8): ink in the right half
    expect([...x.subarray(0, 5)].map((v) => v.toFixed(3))).toEqual(['0.000', '0.000', '0.500', '1.000', '1.000']);
    const up = await modality.decode(ref(halfBlack), parse({ size: 16 }));
    expect(up.length).toBe(256);
    expect(up.reduce((s, v) => s + v, 0) / 256).toBeCloseTo(0.5, 5);
  });

  it('fails with typed errors: unknown layout, missing file', async () => {
    const spec = { name: 'data.train', path: dir, layout: 'omniglott', options: {} };
    await expect(modality.load(spec)).rejects.toThrow(ConfigError);
    await expect(modality.load(spec)).rejects.toThrow(
      "data.train.layout: the image modality has no layout 'omniglott' (did you mean 'omniglot'?)",
    );
    const missing = join(dir, 'missing.png');
    await expect(modality.decode(ref(missing), parse({}))).rejects.toThrow(DataError);
    await expect(modality.decode(ref(missing), parse({}))).rejects.toThrow(missing);
  });
});
