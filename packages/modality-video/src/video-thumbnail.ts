import type { SampleRef } from '@fewshot/core/plugin';
import { readFrames } from './decode-clip.js';
import type { VideoPreprocess } from './video-preprocess.js';

/**
 * The last frame of a clip (a drawing video's finished character) as size x size bytes, grey or RGB as
 * `data.preprocess.channels` says, as ffmpeg gives it (not inverted), for reports.
 */
export async function videoThumbnail(
  ffmpeg: string,
  ref: SampleRef,
  p: Pick<VideoPreprocess, 'channels'>,
  size = 96,
): Promise<{ width: number; height: number; channels: 1 | 3; data: Uint8Array }> {
  const raw = await readFrames(ffmpeg, ref.path, { size, channels: p.channels });
  const frame = size * size * p.channels;
  const data = new Uint8Array(raw.data.subarray((raw.count - 1) * frame, raw.count * frame));
  return { width: size, height: size, channels: p.channels, data };
}
