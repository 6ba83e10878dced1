// Property-based fuzzing of the PNG and JPEG decoders (fast-check). Every input, however broken, must
// give a Raster or a DataError (no RangeError, TypeError or bare Error escaping) within a time limit.
// Seeds are real Omniglot PNGs from $FEWSHOT_TEST_DATA (else ../shared/data next to the repository),
// the same images re-encoded in other PNG colour types, bit depths and interlacing, and as JPEGs.
// Runs per property: FEWSHOT_FUZZ_RUNS (default 150, a few seconds); seed: FEWSHOT_FUZZ_SEED (default 21).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { encode as encodePng, type ImageData } from 'fast-png';
import jpeg from 'jpeg-js';
import { DataError } from '@fewshot/core/plugin';
import { cpuTimeMs, fuzzSettings, testDataPath } from '@fewshot/core/testing';
import { decodeImage } from './decode-image.js';
import type { Raster } from './raster.js';

const { numRuns: RUNS, seed: SEED } = fuzzSettings({ runs: 150, seed: 21 });
/** CPU time a single decode may take (a 105x105 image decodes in well under a millisecond). */
const TIME_LIMIT_MS = 2000;

function realPng(rel: string): Uint8Array {
  const path = testDataPath(import.meta.url, 'omniglot', 'images_background', rel);
  return new Uint8Array(readFileSync(path)); // a copy: Buffer#slice would share memory and let mutations reach the seed
}

/** Three real 1-bit Omniglot PNGs (different alphabets, so different ink). */
const real = [
  realPng('Alphabet_of_the_Magi/character01/0709_01.png'),
  realPng('Greek/character05/0398_02.png'),
  realPng('Korean/character10/0652_17.png'),
];

/** The first real image re-encoded as every PNG colour type and as JPEGs. */
function derivedSeeds(): Uint8Array[] {
  const r = decodeImage(real[0]!, 'seed', 1);
  const n = r.width * r.height;
  const grey8 = Uint8Array.from(r.data, (v) => Math.round(v * 255));
  const grey16 = Uint16Array.from(r.data, (v) => Math.round(v * 65535));
  const rgb = new Uint8Array(n * 3);
  const rgba = new Uint8Array(n * 4);
  const ga = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) {
    const g = grey8[i]!;
    rgb.set([g, (g * 3) % 256, 255 - g], 3 * i);
    rgba.set([g, g, 255 - g, i % 256], 4 * i);
    ga.set([g, (i * 7) % 256], 2 * i);
  }
  const img = (data: ImageData['data'], channels: number, depth: 8 | 16 = 8): ImageData => ({
    width: r.width,
    height: r.height,
    data,
    channels,
    depth,
  });
  const palette = [
    [255, 255, 255],
    [0, 0, 0],
    [200, 30, 30],
  ];
  const indexed = Uint8Array.from(grey8, (g, i) => (g > 127 ? 0 : 1 + (i % 2)));
  return [
    encodePng(img(grey8, 1)),
    encodePng(img(grey16, 1, 16)),
    encodePng(img(rgb, 3)),
    encodePng(img(rgba, 4)),
    encodePng(img(ga, 2)),
    encodePng(img(grey8, 1), { interlace: 'Adam7' }),
    encodePng(img(rgba, 4), { interlace: 'Adam7' }),
    encodePng({ width: r.width, height: r.height, data: indexed, channels: 1, depth: 8, palette }),
    jpeg.encode(
      {
        width: r.width,
        height: r.height,
        data: Buffer.from(Uint8Array.from({ length: n * 4 }, (_, i) => (i % 4 === 3 ? 255 : grey8[i >> 2]!))),
      },
      90,
    ).data,
    jpeg.encode({ width: r.width, height: r.height, data: Buffer.from(rgba) }, 40).data,
  ];
}
const seeds = [...real, ...derivedSeeds().map((b) => new Uint8Array(b))];

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

/** Decode once: a valid Raster, or a DataError naming the file; anything else, or a slow decode, fails the property. */
function decodesOrDataError(bytes: Uint8Array, channels: 1 | 3): boolean {
  const t0 = cpuTimeMs();
  let raster: Raster | undefined;
  try {
    raster = decodeImage(bytes, 'fuzz.img', channels);
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    if (!err.message.includes('fuzz.img'))
      throw new Error(`DataError does not name the file: ${err.message}`, { cause: err });
  }
  const ms = cpuTimeMs() - t0;
  if (ms > TIME_LIMIT_MS) throw new Error(`decode took ${Math.round(ms)} ms of CPU time (limit ${TIME_LIMIT_MS} ms)`);
  if (raster) {
    const { width, height, data } = raster;
    if (!(width >= 1 && height >= 1) || data.length !== width * height * channels)
      throw new Error(`bad raster ${width}x${height}x${channels} with ${data.length} values`);
    for (const v of data) if (!(v >= 0 && v <= 1)) throw new Error(`pixel value ${v} outside [0, 1]`);
  }
  return true;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Rewrite the CRC of every chunk that fits in the file, so a mutation reaches the decoder instead of the CRC check. */
function fixPngCrcs(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  let offset = 8;
  while (offset + 12 <= out.length) {
    const length = view.getUint32(offset);
    const end = offset + 12 + length;
    if (end > out.length) break;
    view.setUint32(offset + 8 + length, crc32(out.subarray(offset + 4, offset + 8 + length)));
    offset = end;
  }
  return out;
}

const isPng = (b: Uint8Array): boolean => PNG_MAGIC.every((m, i) => b[i] === m);
const seed = fc.constantFrom(...seeds);
const channels = fc.constantFrom<1 | 3>(1, 3);
/** Bit flips anywhere, or (half the time) in the first 64 bytes, where the headers are. */
const flips = fc.array(fc.tuple(fc.oneof(fc.nat(), fc.nat({ max: 63 })), fc.nat({ max: 7 })), {
  minLength: 1,
  maxLength: 8,
});
/** 32-bit values that break lengths, sizes and offsets. */
const evil32 = fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff);

function flip(bytes: Uint8Array, at: readonly (readonly [number, number])[]): Uint8Array {
  const out = bytes.slice();
  if (out.length > 0) for (const [pos, bit] of at) out[pos % out.length]! ^= 1 << bit;
  return out;
}

const options = (n = RUNS): fc.Parameters<unknown> => ({ numRuns: n, seed: SEED });

describe(`decodeImage fuzzing (${RUNS} runs per property, seed ${SEED})`, () => {
  it('the seeds themselves decode', () => {
    for (const s of seeds) expect(decodeImage(s, 'seed', 1).width).toBe(105);
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), channels, (b, c) => decodesOrDataError(b, c)),
      options(),
    );
  });

  it('random bytes after a PNG or JPEG signature', () => {
    const magic = fc.constantFrom(PNG_MAGIC, JPEG_MAGIC);
    fc.assert(
      fc.property(magic, fc.uint8Array({ maxLength: 4096 }), channels, (m, b, c) =>
        decodesOrDataError(Uint8Array.from([...m, ...b]), c),
      ),
      options(),
    );
  });

  it('truncations of real files', () => {
    fc.assert(
      fc.property(seed, fc.nat(), channels, (s, n, c) => decodesOrDataError(s.subarray(0, n % s.length), c)),
      options(),
    );
  });

  it('bit flips of real files', () => {
    fc.assert(
      fc.property(seed, flips, channels, (s, f, c) => decodesOrDataError(flip(s, f), c)),
      options(),
    );
  });

  it('bit flips of real PNGs with the chunk CRCs repaired', () => {
    const pngs = fc.constantFrom(...seeds.filter(isPng));
    fc.assert(
      fc.property(pngs, flips, channels, (s, f, c) => decodesOrDataError(fixPngCrcs(flip(s, f)), c)),
      options(),
    );
  });

  it('extreme 32-bit values written into the headers (PNG CRCs repaired)', () => {
    fc.assert(
      fc.property(seed, fc.nat({ max: 120 }), evil32, channels, (s, at, v, c) => {
        const out = s.slice();
        if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, v);
        return decodesOrDataError(isPng(out) ? fixPngCrcs(out) : out, c);
      }),
      options(),
    );
  });

  it('chunks or segments cut out, repeated or swapped', () => {
    fc.assert(
      fc.property(seed, fc.nat(), fc.nat(), fc.nat({ max: 512 }), channels, (s, a, b, len, c) => {
        const i = a % s.length;
        const j = b % s.length;
        const piece = s.subarray(i, Math.min(s.length, i + len));
        const out = Uint8Array.from([...s.subarray(0, j), ...piece, ...s.subarray(j)]);
        const cut = Uint8Array.from([...s.subarray(0, i), ...s.subarray(Math.min(s.length, i + len))]);
        return decodesOrDataError(isPng(out) ? fixPngCrcs(out) : out, c) && decodesOrDataError(cut, c);
      }),
      options(),
    );
  });
});

describe('decodeImage: inputs the fuzzer found', () => {
  const withIhdrSize = (width: number, height: number): Uint8Array => {
    const out = real[0]!.slice();
    const view = new DataView(out.buffer);
    view.setUint32(16, width);
    view.setUint32(20, height);
    return fixPngCrcs(out);
  };

  it('a PNG of width 0 is a DataError, not an empty raster', () => {
    expect(() => decodeImage(withIhdrSize(0, 105), 'zero.png', 1)).toThrow(
      new DataError('cannot decode zero.png: corrupt image header (size 0 x 105 pixels)'),
    );
  });

  it('a PNG header announcing a huge image is refused before anything is allocated', () => {
    expect(() => decodeImage(withIhdrSize(60000, 60000), 'huge.png', 1)).toThrow(
      /huge\.png: the image is 60000 x 60000 pixels, more than the 100-megapixel limit/,
    );
  });
});
