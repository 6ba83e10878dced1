import { resizeArea } from '@fewshot/modality-image';
import { pickFrames, rawFrame, type RawFrames } from './decode-clip.js';
import type { VideoPreprocess } from './video-preprocess.js';

/**
 * Whether `p` asks for work on the decoded frames beyond picking them and scaling their values:
 * a decoding size other than `size`, thicker ink, or a crop.
 */
export function refines(p: VideoPreprocess): boolean {
  return (p.decodeSize !== undefined && p.decodeSize !== p.size) || (p.thicken ?? 0) > 0 || (p.crop ?? 0) > 0;
}

/** The side ffmpeg scales frames to: `decodeSize`, else `size`. */
export function decodeSide(p: VideoPreprocess): number {
  return p.decodeSize ?? p.size;
}

/** Pixel offsets within a disk of radius `r` (dx^2 + dy^2 <= r^2), the centre first. */
function diskOffsets(r: number): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  const R = Math.floor(r);
  for (let dy = -R; dy <= R; dy++)
    for (let dx = -R; dx <= R; dx++)
      if ((dx !== 0 || dy !== 0) && dx * dx + dy * dy <= r * r + 1e-9) out.push([dx, dy]);
  return out;
}

/**
 * Grow the ink of one D x D x C frame of bytes by a disk of radius `r` pixels: each pixel takes the
 * inkiest value under the disk centred on it (the darkest when `darkInk`, else the brightest), per
 * channel; pixels outside the frame do not count.
 */
export function thickenFrame(src: Uint8Array, side: number, channels: number, r: number, darkInk: boolean): Uint8Array {
  const offsets = diskOffsets(r);
  const out = new Uint8Array(src.length);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      for (let c = 0; c < channels; c++) {
        let best = darkInk ? 255 : 0;
        for (const [dx, dy] of offsets) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= side || yy >= side) continue;
          const v = src[(yy * side + xx) * channels + c]!;
          best = darkInk ? Math.min(best, v) : Math.max(best, v);
        }
        out[(y * side + x) * channels + c] = best;
      }
    }
  }
  return out;
}

/**
 * The [T, S, S, C] sample of a clip decoded at `decodeSide(p)`: the T frames `p.sampling` picks, each
 * with its ink grown by `p.thicken` pixels (at the decoding size), `p.crop` pixels cut from each side, reduced to S x S by exact area
 * averaging (as the image modality resizes), then inverted and scaled as `p.invert` / `p.normalize` say.
 */
export function refinedSample(raw: RawFrames, p: VideoPreprocess): Float32Array {
  const D = decodeSide(p);
  const C = p.channels;
  const inBytes = D * D * C;
  const outLen = p.size * p.size * C;
  const out = new Float32Array(p.frames * outLen);
  const r = p.thicken ?? 0;
  const scale = p.normalize === 'unit' ? 1 / 255 : 1;
  const done = new Map<number, Float32Array>();
  pickFrames(raw.count, p.frames, p.sampling).forEach((f, t) => {
    let frame = done.get(f);
    if (!frame) {
      let bytes: Uint8Array = rawFrame(raw, f, inBytes);
      if (r > 0) bytes = thickenFrame(bytes, D, C, r, p.invert);
      const k = p.crop ?? 0;
      if (k > 0) bytes = cropFrame(bytes, D, C, k);
      frame = resizeArea(Float32Array.from(bytes), D - 2 * k, D - 2 * k, C, p.size, p.size);
      done.set(f, frame);
    }
    const dst = t * outLen;
    for (let j = 0; j < outLen; j++) out[dst + j] = (p.invert ? 255 - frame[j]! : frame[j]!) * scale;
  });
  return out;
}

/** The centre of a D x D x C frame without `k` pixels on each side. */
export function cropFrame(src: Uint8Array, side: number, channels: number, k: number): Uint8Array {
  const inner = side - 2 * k;
  const out = new Uint8Array(inner * inner * channels);
  for (let y = 0; y < inner; y++) {
    const from = ((y + k) * side + k) * channels;
    out.set(src.subarray(from, from + inner * channels), y * inner * channels);
  }
  return out;
}
