import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng, type ImageData } from 'fast-png';
import jpeg from 'jpeg-js';
import { DataError } from '@fewshot/core/plugin';
import { decodeImage, readImage } from './decode-image.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-decode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function png(name: string, image: ImageData, options?: Parameters<typeof encodePng>[1]): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, encodePng(image, options));
  return path;
}

function values(data: Float32Array): number[] {
  return [...data].map((v) => Math.round(v * 1000) / 1000);
}

async function expectDataError(path: string, ...parts: (string | RegExp)[]): Promise<void> {
  const err = await readImage(path, 1).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DataError);
  const message = (err as Error).message;
  expect(message).toContain(path);
  for (const part of parts) expect(message).toMatch(part);
}

describe('decodeImage: PNG', () => {
  it('decodes 8-bit grey to [0, 1] with white = 1', async () => {
    const path = await png('grey8.png', {
      width: 2,
      height: 2,
      channels: 1,
      depth: 8,
      data: Uint8Array.of(255, 0, 51, 204),
    });
    const img = await readImage(path, 1);
    expect([img.width, img.height, img.channels]).toEqual([2, 2, 1]);
    expect(values(img.data)).toEqual([1, 0, 0.2, 0.8]);
  });

  it('decodes a 1-bit grey PNG (packed rows, padded to a byte)', async () => {
    // 10 wide: each row is 2 bytes. Row 0: 1010000011, row 1: 0000000001.
    const data = Uint8Array.of(0b10100000, 0b11000000, 0b00000000, 0b01000000);
    const path = await png('grey1.png', { width: 10, height: 2, channels: 1, depth: 1, data });
    const img = await readImage(path, 1);
    expect([...img.data]).toEqual([1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('decodes 16-bit grey and 2-bit grey', async () => {
    const p16 = await png('grey16.png', {
      width: 2,
      height: 1,
      channels: 1,
      depth: 16,
      data: Uint16Array.of(65535, 13107),
    });
    expect(values((await readImage(p16, 1)).data)).toEqual([1, 0.2]);
    const p2 = await png('grey2.png', { width: 4, height: 1, channels: 1, depth: 2, data: Uint8Array.of(0b00011011) });
    expect(values((await readImage(p2, 1)).data)).toEqual([0, 0.333, 0.667, 1]);
  });

  it('turns RGB into grey by luma, or keeps it as RGB', async () => {
    const data = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255);
    const path = await png('rgb.png', { width: 3, height: 1, channels: 3, depth: 8, data });
    expect(values((await readImage(path, 1)).data)).toEqual([0.299, 0.587, 0.114]);
    expect(values((await readImage(path, 3)).data)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('composites alpha onto white (grey+alpha and RGBA)', async () => {
    // black opaque, black transparent, black half transparent
    const ga = await png('ga.png', {
      width: 3,
      height: 1,
      channels: 2,
      depth: 8,
      data: Uint8Array.of(0, 255, 0, 0, 0, 51),
    });
    expect(values((await readImage(ga, 1)).data)).toEqual([0, 1, 0.8]);
    // red opaque, green transparent
    const rgba = await png('rgba.png', {
      width: 2,
      height: 1,
      channels: 4,
      depth: 8,
      data: Uint8Array.of(255, 0, 0, 255, 0, 255, 0, 0),
    });
    expect(values((await readImage(rgba, 3)).data)).toEqual([1, 0, 0, 1, 1, 1]);
  });

  it('decodes palette PNGs, with palette transparency', async () => {
    // Transparent entry first: fast-png 8.0.0's encoder writes tRNS with only the non-opaque alphas,
    // which is only right when those entries lead the palette (its decoder is fine).
    const palette = [
      [0, 0, 0, 0],
      [0, 0, 0, 255],
      [255, 255, 255, 255],
    ];
    const path = await png('palette.png', {
      width: 3,
      height: 1,
      channels: 1,
      depth: 8,
      data: Uint8Array.of(2, 1, 0),
      palette,
    });
    expect(values((await readImage(path, 1)).data)).toEqual([1, 0, 1]);
    const bits = await png('palette1.png', {
      width: 8,
      height: 1,
      channels: 1,
      depth: 1,
      data: Uint8Array.of(0b10100000),
      palette: [
        [255, 255, 255],
        [0, 0, 0],
      ],
    });
    expect(values((await readImage(bits, 1)).data)).toEqual([0, 1, 0, 1, 1, 1, 1, 1]);
  });

  it('decodes an interlaced 8-bit PNG and refuses an interlaced 1-bit one by name', async () => {
    const data = Uint8Array.from({ length: 81 }, (_, i) => (i * 3) % 256);
    const path = await png('adam7.png', { width: 9, height: 9, channels: 1, depth: 8, data }, { interlace: 'Adam7' });
    expect(values((await readImage(path, 1)).data)).toEqual(values(Float32Array.from(data, (v) => v / 255)));
    const bits = await png(
      'adam7-1bit.png',
      { width: 8, height: 1, channels: 1, depth: 1, data: Uint8Array.of(0xf0) },
      { interlace: 'Adam7' },
    );
    await expectDataError(bits, 'interlaced PNGs of bit depth 1 are not supported');
  });
});

describe('decodeImage: JPEG and format sniffing', () => {
  const jpegBytes = (): Uint8Array => {
    const width = 16;
    const height = 8;
    const data = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      const v = i % width < 8 ? 0 : 255; // left half black, right half white
      data.set([v, v, v, 255], i * 4);
    }
    return jpeg.encode({ width, height, data }, 95).data;
  };

  it('decodes a JPEG (lossy: within a few levels)', async () => {
    const path = join(dir, 'photo.jpg');
    await writeFile(path, jpegBytes());
    const img = await readImage(path, 1);
    expect([img.width, img.height]).toEqual([16, 8]);
    expect(img.data[0]).toBeLessThan(0.05);
    expect(img.data[15]).toBeGreaterThan(0.95);
  });

  it('goes by content, not by extension', async () => {
    const jpgAsPng = join(dir, 'really-a-jpeg.png');
    await writeFile(jpgAsPng, jpegBytes());
    expect((await readImage(jpgAsPng, 1)).width).toBe(16);
    const pngAsJpg = join(dir, 'really-a-png.jpg');
    await writeFile(pngAsJpg, encodePng({ width: 1, height: 1, channels: 1, depth: 8, data: Uint8Array.of(0) }));
    expect([...(await readImage(pngAsJpg, 1)).data]).toEqual([0]);
  });
});

describe('decodeImage: bad files give a DataError naming the file', () => {
  const good = (): Uint8Array =>
    encodePng({ width: 8, height: 8, channels: 1, depth: 8, data: new Uint8Array(64).fill(7) });

  it('a text file renamed .png', async () => {
    const path = join(dir, 'notes.png');
    await writeFile(path, 'hello world, not an image');
    await expectDataError(path, 'not a PNG or JPEG file', '68 65 6c 6c 6f 20 77 6f "hello wo"');
  });

  it('an empty file', async () => {
    const path = join(dir, 'empty.png');
    await writeFile(path, '');
    await expectDataError(path, 'the file is empty');
  });

  it('a truncated PNG', async () => {
    const bytes = good();
    const path = join(dir, 'cut.png');
    await writeFile(path, bytes.subarray(0, bytes.length - 20));
    await expectDataError(path, 'truncated PNG');
  });

  it('a corrupt PNG (damaged pixel data)', async () => {
    const bytes = good().slice();
    const idat = Buffer.from(bytes).indexOf('IDAT');
    bytes[idat + 6] = (bytes[idat + 6] as number) ^ 0xff;
    const path = join(dir, 'damaged.png');
    await writeFile(path, bytes);
    await expectDataError(path, 'corrupt or unsupported PNG', 'CRC mismatch');
  });

  it('a truncated JPEG', async () => {
    const bytes = jpeg.encode({ width: 8, height: 8, data: new Uint8Array(256).fill(128) }, 90).data;
    const path = join(dir, 'cut.jpg');
    await writeFile(path, bytes.subarray(0, bytes.length - 30));
    await expectDataError(path, 'truncated JPEG');
  });

  it('a missing file', async () => {
    await expectDataError(join(dir, 'nope.png'), 'image file not found');
  });

  it('decodeImage names the path it is given', () => {
    expect(() => decodeImage(Uint8Array.of(1, 2, 3), '/x/y.png', 1)).toThrow(
      'cannot decode /x/y.png: not a PNG or JPEG file (starts with 01 02 03)',
    );
  });
});
