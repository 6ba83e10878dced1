import { readFileSync } from 'node:fs';
import { decode as decodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { DataError } from '@fewshot/core/plugin';
import { pngToRaster } from './png-raster.js';
import { RasterWriter, type Raster } from './raster.js';

/**
 * Read and decode one image file (PNG or JPEG, told apart by content, not by extension). The read is
 * synchronous on purpose: for files of a few hundred bytes (Omniglot) fs.promises.readFile costs
 * about 100-200 us in thread-pool round trips against about 10 us for readFileSync, and decoding
 * blocks the thread anyway.
 */
export async function readImage(path: string, channels: 1 | 3): Promise<Raster> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`image file not found: ${path}`, { cause: err });
    if (code === 'EISDIR')
      throw new DataError(`cannot decode ${path}: it is a folder, not an image file`, { cause: err });
    throw new DataError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  return decodeImage(bytes, path, channels);
}

/**
 * Decode PNG or JPEG bytes to a Raster in [0, 1] (white = 1, alpha composited onto white), grey by
 * luma or RGB. `path` is only used in messages. Throws DataError naming the file when the bytes are
 * not a PNG or JPEG, are truncated or are corrupt.
 */
export function decodeImage(bytes: Uint8Array, path: string, channels: 1 | 3): Raster {
  if (startsWith(bytes, PNG_MAGIC)) return decodePngBytes(bytes, path, channels);
  if (startsWith(bytes, JPEG_MAGIC)) return decodeJpegBytes(bytes, path, channels);
  const what = bytes.length === 0 ? 'the file is empty' : `starts with ${describeStart(bytes)}`;
  throw new DataError(`cannot decode ${path}: not a PNG or JPEG file (${what})`);
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function decodePngBytes(bytes: Uint8Array, path: string, channels: 1 | 3): Raster {
  checkPngChunks(bytes, path);
  try {
    return pngToRaster(decodePng(bytes, { checkCrc: true }), channels);
  } catch (err) {
    throw new DataError(`cannot decode ${path}: corrupt or unsupported PNG (${(err as Error).message})`, {
      cause: err,
    });
  }
}

/**
 * Walk the chunk list before decoding, so that a cut-off file is reported as truncated (fast-png
 * would fail with a bare RangeError) and PNGs fast-png decodes wrongly are refused.
 */
function checkPngChunks(bytes: Uint8Array, path: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new DataError(`cannot decode ${path}: ${what}`);
  };
  let offset = 8;
  let first = true;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`corrupt PNG (invalid chunk type at byte ${offset + 4})`);
    if (first && type !== 'IHDR') fail(`corrupt PNG (first chunk is ${type}, not IHDR)`);
    const end = offset + 12 + length;
    if (end > bytes.length) {
      fail(`truncated PNG (chunk ${type} at byte ${offset} needs ${end} bytes, the file has ${bytes.length})`);
    }
    if (first) {
      if (length !== 13) fail(`corrupt PNG (IHDR chunk of ${length} bytes, 13 expected)`);
      checkSize(view.getUint32(offset + 8), view.getUint32(offset + 12), path);
      const depth = bytes[offset + 16] as number;
      const interlace = bytes[offset + 20] as number;
      if (interlace === 1 && depth < 8)
        fail(`interlaced PNGs of bit depth ${depth} are not supported; save it without interlacing`);
    }
    if (type === 'IEND') return;
    first = false;
    offset = end;
  }
  fail(`truncated PNG (no IEND chunk; the file ends after ${bytes.length} bytes)`);
}

/** Largest image decoded, in pixels (as jpeg-js's default limit): a corrupt header must not make us allocate gigabytes. */
export const MAX_IMAGE_PIXELS = 100_000_000;

function checkSize(width: number, height: number, path: string): void {
  if (width < 1 || height < 1)
    throw new DataError(`cannot decode ${path}: corrupt image header (size ${width} x ${height} pixels)`);
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new DataError(
      `cannot decode ${path}: the image is ${width} x ${height} pixels, more than the ${MAX_IMAGE_PIXELS / 1e6}-megapixel limit (a corrupt header, or an image far larger than any model input)`,
      {
        hints: ['shrink it before use, e.g. `magick in.png -resize 1024x1024 out.png`'],
      },
    );
  }
}

function decodeJpegBytes(bytes: Uint8Array, path: string, channels: 1 | 3): Raster {
  if (!hasEndOfImage(bytes)) {
    throw new DataError(
      `cannot decode ${path}: truncated JPEG (no end-of-image marker; the file ends after ${bytes.length} bytes)`,
    );
  }
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6,
    });
  } catch (err) {
    throw new DataError(`cannot decode ${path}: corrupt or unsupported JPEG (${(err as Error).message})`, {
      cause: err,
    });
  }
  checkSize(img.width, img.height, path);
  const out = new RasterWriter(img.width, img.height, channels);
  const d = img.data;
  const s = 1 / 255;
  for (let i = 0, n = img.width * img.height; i < n; i++) {
    out.rgb(i, (d[4 * i] as number) * s, (d[4 * i + 1] as number) * s, (d[4 * i + 2] as number) * s, 1);
  }
  return out.done();
}

/** A JPEG ends with FF D9 (some writers append bytes after it, so look for the last one). */
function hasEndOfImage(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 2; i >= 2; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** First bytes as hex and, when printable, as text: `3c 68 74 6d 6c 3e "<html>"`. */
function describeStart(bytes: Uint8Array): string {
  const head = bytes.subarray(0, 8);
  const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = String.fromCharCode(...head);
  return /^[\x20-\x7e\t\r\n]+$/.test(text) ? `${hex} ${JSON.stringify(text)}` : hex;
}
