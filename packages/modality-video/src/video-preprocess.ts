import { parseOptions, z } from '@fewshot/core';

/**
 * `data.preprocess` of the video modality: T frames of SxS pixels with C channels, stored as one
 * [T*S, S, C] sample (frame t in rows t*S .. t*S+S-1). The parsed form parses again to itself.
 */
export const videoPreprocessSchema = z.strictObject({
  frames: z.number().int().min(1).max(256).default(8).describe('T: frames taken from each clip'),
  size: z.number().int().min(4).max(512).default(28).describe('S: side of each (square) frame in pixels'),
  channels: z.union([z.literal(1), z.literal(3)]).default(1).describe('1 = grey (luma), 3 = RGB'),
  sampling: z
    .enum(['uniform', 'last'])
    .default('uniform')
    .describe("'uniform': T frames spread evenly over the clip, the t-th at the end of its T-th of the clip (the last is the clip's last frame); 'last': T copies of the last frame"),
  invert: z.boolean().default(true).describe('map white to 0 and black to 1 (drawings: ink becomes 1 on a 0 background)'),
  normalize: z.enum(['none', 'unit']).default('unit').describe("'unit': values in [0, 1]; 'none': the 8-bit scale [0, 255]"),
});

/** Parsed video preprocessing settings. */
export type VideoPreprocess = z.output<typeof videoPreprocessSchema>;

const parsed = new WeakMap<object, VideoPreprocess>();

/** Parse (once per settings object) the preprocessing settings handed to `decode` / `inputShape`. */
export function videoPreprocess(pre: Readonly<Record<string, unknown>>): VideoPreprocess {
  let result = parsed.get(pre);
  if (!result) {
    result = parseOptions(videoPreprocessSchema, pre, 'data.preprocess');
    parsed.set(pre, result);
  }
  return result;
}

/** [T*S, S, C]: the frames of a clip stacked vertically. */
export function clipShape(p: VideoPreprocess): [number, number, number] {
  return [p.frames * p.size, p.size, p.channels];
}
