import type { DecodedPng } from 'fast-png';
import { RasterWriter, type Raster } from './raster.js';

/**
 * Turn a PNG decoded by fast-png into a Raster: every colour type (grey, grey+alpha, RGB, RGBA,
 * palette) and bit depth (1, 2, 4, 8, 16), with alpha (and tRNS colour keys) composited onto white.
 * fast-png leaves samples of depth < 8 packed (rows padded to a byte) and palette entries unresolved.
 */
export function pngToRaster(png: DecodedPng, channels: 1 | 3): Raster {
  const { width, height, depth } = png;
  const out = new RasterWriter(width, height, channels);
  const n = width * height;
  const samples = depth < 8 ? unpackRows(png.data as Uint8Array, width, height, depth) : png.data;
  if (samples.length < n * png.channels) {
    throw new Error(`pixel data has ${samples.length} samples, expected ${n * png.channels}`);
  }
  const scale = 1 / ((1 << depth) - 1);
  const key = png.transparency;

  // Colour type 3. (Truecolour PNGs may carry a PLTE too, as a mere suggestion: ignored.)
  if (png.palette && png.channels === 1) {
    const palette = png.palette.map((c) => [
      (c[0] ?? 0) / 255,
      (c[1] ?? 0) / 255,
      (c[2] ?? 0) / 255,
      (c[3] ?? 255) / 255,
    ]);
    for (let i = 0; i < n; i++) {
      const c = palette[samples[i] as number];
      if (!c) throw new Error(`palette index ${samples[i]} out of range (palette has ${palette.length} colours)`);
      out.rgb(i, c[0] as number, c[1] as number, c[2] as number, c[3] as number);
    }
    return out.done();
  }

  switch (png.channels) {
    case 1: {
      const k = key && key.length >= 1 ? (key[0] as number) : -1;
      if (k < 0 && channels === 1) {
        // The common case (Omniglot): plain grey to grey.
        const data = out.data;
        for (let i = 0; i < n; i++) data[i] = (samples[i] as number) * scale;
        break;
      }
      for (let i = 0; i < n; i++) {
        const s = samples[i] as number;
        out.grey(i, s * scale, s === k ? 0 : 1);
      }
      break;
    }
    case 2:
      for (let i = 0; i < n; i++)
        out.grey(i, (samples[2 * i] as number) * scale, (samples[2 * i + 1] as number) * scale);
      break;
    case 3: {
      const keyed = key !== undefined && key.length >= 3;
      for (let i = 0; i < n; i++) {
        const r = samples[3 * i] as number;
        const g = samples[3 * i + 1] as number;
        const b = samples[3 * i + 2] as number;
        const a = keyed && r === key[0] && g === key[1] && b === key[2] ? 0 : 1;
        out.rgb(i, r * scale, g * scale, b * scale, a);
      }
      break;
    }
    case 4:
      for (let i = 0; i < n; i++) {
        const o = 4 * i;
        const a = (samples[o + 3] as number) * scale;
        out.rgb(
          i,
          (samples[o] as number) * scale,
          (samples[o + 1] as number) * scale,
          (samples[o + 2] as number) * scale,
          a,
        );
      }
      break;
    default:
      throw new Error(`unsupported channel count ${png.channels}`);
  }
  return out.done();
}

/** Unpack 1-, 2- or 4-bit samples (one channel, rows padded to whole bytes) to one byte each. */
function unpackRows(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  if (packed.length < rowBytes * height) {
    throw new Error(`pixel data has ${packed.length} bytes, expected ${rowBytes * height}`);
  }
  const mask = (1 << depth) - 1;
  const perByte = 8 / depth;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    let i = y * width;
    const end = i + width;
    for (let b = y * rowBytes; i < end; b++) {
      const byte = packed[b] as number;
      for (let j = 1; j <= perByte && i < end; j++) out[i++] = (byte >> (8 - depth * j)) & mask;
    }
  }
  return out;
}
