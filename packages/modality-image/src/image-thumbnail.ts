import type { SampleRef } from '@fewshot/core/plugin';
import { readImage } from './decode-image.js';
import type { ImagePreprocess } from './image-preprocess.js';
import { resizeArea } from './resize-area.js';

/** 8-bit pixels, row-major (what `Modality.thumbnail` returns). */
export interface Picture {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/** Float pixels in [0, 1] to bytes. */
export function toBytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.round(Math.min(1, Math.max(0, values[i] as number)) * 255);
  return out;
}

/**
 * The picture of an image file as it is (not inverted), grey or RGB as `data.preprocess.channels`
 * says, area-averaged down to at most `maxSide` pixels a side (never enlarged), for reports.
 */
export async function imageThumbnail(
  ref: SampleRef,
  p: Pick<ImagePreprocess, 'channels'>,
  maxSide = 96,
): Promise<Picture> {
  const img = await readImage(ref.path, p.channels);
  const scale = Math.min(1, maxSide / Math.max(img.width, img.height));
  const width = Math.max(1, Math.round(img.width * scale));
  const height = Math.max(1, Math.round(img.height * scale));
  const data = resizeArea(img.data, img.height, img.width, p.channels, height, width);
  return { width, height, channels: p.channels, data: toBytes(data) };
}
