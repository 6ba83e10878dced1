import { resizeArea } from '@fewshot/modality-image';
import { pickFrames, rawFrame, type RawFrames } from './decode-clip.js';
import type { VideoPreprocess } from './video-preprocess.js';

/**
 * Whether `p` asks for work on the decoded frames beyond picking them and scaling their values:
 * a decoding size other than `size`, thicker ink, or a crop.
 */
export function refines(p: VideoPreprocess): boolean {
  return (
    (p.decodeSize !== undefined && p.decodeSize !== p.size) ||
    (p.thicken ?? 0) > 0 ||
    (p.crop ?? 0) > 0 ||
    p.inkRadius !== undefined
  );
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
 * With `p.inkRadius`, every frame is moved and scaled alike so that the ink of the last picked frame
 * (the clip's last frame) is centred with that RMS radius in output pixels (see `inkFit`).
 */
export function refinedSample(raw: RawFrames, p: VideoPreprocess): Float32Array {
  const D = decodeSide(p);
  const C = p.channels;
  const inBytes = D * D * C;
  const outLen = p.size * p.size * C;
  const out = new Float32Array(p.frames * outLen);
  const r = p.thicken ?? 0;
  const k = p.crop ?? 0;
  const inner = D - 2 * k;
  const scale = p.normalize === 'unit' ? 1 / 255 : 1;
  const picked = pickFrames(raw.count, p.frames, p.sampling);
  const prepared = new Map<number, Uint8Array>();
  const prepare = (f: number): Uint8Array => {
    let bytes = prepared.get(f);
    if (!bytes) {
      bytes = rawFrame(raw, f, inBytes);
      if (r > 0) bytes = thickenFrame(bytes, D, C, r, p.invert);
      if (k > 0) bytes = cropFrame(bytes, D, C, k);
      prepared.set(f, bytes);
    }
    return bytes;
  };
  const fit =
    p.inkRadius === undefined
      ? undefined
      : inkFit(prepare(picked[picked.length - 1]!), inner, C, p.invert, p.inkRadius, p.size);
  const done = new Map<number, Float32Array>();
  picked.forEach((f, t) => {
    let frame = done.get(f);
    if (!frame) {
      const bytes = prepare(f);
      frame = fit
        ? resampleBox(bytes, inner, C, p.invert, fit, p.size)
        : resizeArea(Float32Array.from(bytes), inner, inner, C, p.size, p.size);
      done.set(f, frame);
    }
    const dst = t * outLen;
    for (let j = 0; j < outLen; j++) out[dst + j] = (p.invert ? 255 - frame[j]! : frame[j]!) * scale;
  });
  return out;
}

/** Where a frame's output is read from: output pixel (u, v) covers the source box centred at (cx + (u + 0.5 - S/2) s, cy + (v + 0.5 - S/2) s). */
export interface InkFit {
  /** The ink's centre in source pixels (x right, y down; pixel i spans [i, i + 1]). */
  readonly cx: number;
  readonly cy: number;
  /** Source pixels per output pixel. */
  readonly s: number;
}

/**
 * The move and scale that centre the ink of one side x side x C frame of bytes (ink: dark when
 * `darkInk`, weighted by its depth, all channels together) and give it RMS radius `radius` in pixels
 * of a `size` x `size` output. A frame without ink gets the plain reduction (centre of the frame,
 * side / size source pixels per output pixel).
 */
export function inkFit(
  bytes: Uint8Array,
  side: number,
  channels: number,
  darkInk: boolean,
  radius: number,
  size: number,
): InkFit {
  let m = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      let v = 0;
      for (let c = 0; c < channels; c++) {
        const b = bytes[(y * side + x) * channels + c]!;
        v += darkInk ? 255 - b : b;
      }
      if (v === 0) continue;
      const px = x + 0.5;
      const py = y + 0.5;
      m += v;
      sx += v * px;
      sy += v * py;
      sxx += v * px * px;
      syy += v * py * py;
    }
  }
  if (m === 0) return { cx: side / 2, cy: side / 2, s: side / size };
  const cx = sx / m;
  const cy = sy / m;
  const rms = Math.sqrt(Math.max(0, sxx / m - cx * cx + (syy / m - cy * cy)));
  if (!(rms > 0)) return { cx, cy, s: side / size };
  return { cx, cy, s: rms / radius };
}

/**
 * Sparse weights of one axis: output i averages the source pixels under the box of width max(s, 1)
 * centred at c + (i + 0.5 - size/2) s, each by its overlap; pixels outside the frame are no ink.
 */
function boxWeights(
  c: number,
  s: number,
  size: number,
  side: number,
): { start: Int32Array; index: Int32Array; weight: Float64Array } {
  const half = Math.max(s, 1) / 2;
  const start = new Int32Array(size + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < size; i++) {
    start[i] = index.length;
    const centre = c + (i + 0.5 - size / 2) * s;
    const lo = centre - half;
    const hi = centre + half;
    for (let x = Math.max(0, Math.floor(lo)); x < Math.min(side, Math.ceil(hi)); x++) {
      const overlap = Math.min(hi, x + 1) - Math.max(lo, x);
      if (overlap > 0) {
        index.push(x);
        weight.push(overlap / (2 * half));
      }
    }
  }
  start[size] = index.length;
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * One side x side x C frame of bytes, moved and scaled by `fit` to size x size by area averaging over
 * each output pixel's box; the result is in the bytes' scale (0-255, background where the box leaves
 * the frame).
 */
export function resampleBox(
  bytes: Uint8Array,
  side: number,
  channels: number,
  darkInk: boolean,
  fit: InkFit,
  size: number,
): Float32Array {
  const wx = boxWeights(fit.cx, fit.s, size, side);
  const wy = boxWeights(fit.cy, fit.s, size, side);
  // columns first: side rows x size columns, in ink (0 = background)
  const mid = new Float64Array(side * size * channels);
  for (let y = 0; y < side; y++) {
    for (let u = 0; u < size; u++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = wx.start[u]!; k < wx.start[u + 1]!; k++) {
          const b = bytes[(y * side + wx.index[k]!) * channels + c]!;
          acc += wx.weight[k]! * (darkInk ? 255 - b : b);
        }
        mid[(y * size + u) * channels + c] = acc;
      }
    }
  }
  const out = new Float32Array(size * size * channels);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = wy.start[v]!; k < wy.start[v + 1]!; k++)
          acc += wy.weight[k]! * mid[(wy.index[k]! * size + u) * channels + c]!;
        out[(v * size + u) * channels + c] = darkInk ? 255 - acc : acc;
      }
    }
  }
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
