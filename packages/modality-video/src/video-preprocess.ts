import { sampleShape, z, type SampleShape } from '@fewshot/core/plugin';

/**
 * `data.preprocess` of the video modality: T frames of SxS pixels with C channels, one [T, S, S, C]
 * sample (frame after frame, row-major). The parsed form parses again to itself.
 */
export const videoPreprocessSchema = z
  .strictObject({
    frames: z.number().int().min(1).max(256).default(8).describe('T: frames taken from each clip'),
    size: z.number().int().min(4).max(512).default(28).describe('S: side of each (square) frame in pixels'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(1)
      .describe('1 = grey (luma), 3 = RGB'),
    sampling: z
      .enum(['uniform', 'last'])
      .default('uniform')
      .describe(
        "'uniform': T frames spread evenly over the clip, the t-th at the end of its T-th of the clip (the last is the clip's last frame); 'last': T copies of the last frame",
      ),
    invert: z
      .boolean()
      .default(true)
      .describe('map white to 0 and black to 1 (drawings: ink becomes 1 on a 0 background)'),
    normalize: z
      .enum(['none', 'unit'])
      .default('unit')
      .describe("'unit': values in [0, 1]; 'none': the 8-bit scale [0, 255]"),
    decodeSize: z
      .number()
      .int()
      .min(4)
      .max(512)
      .optional()
      .describe(
        'side ffmpeg scales each frame to before it is reduced to S by exact area averaging, after `thicken` (default: S, scaled by ffmpeg alone)',
      ),
    thicken: z
      .number()
      .min(0)
      .max(16)
      .optional()
      .describe(
        'grow the ink by a disk of this radius in pixels at `decodeSize` before reducing (ink: the dark strokes when `invert`, else the bright ones); default 0',
      ),
    crop: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'pixels cut from every side of the frame at `decodeSize` before reducing (the centre is kept); default 0. Drawing videos put the 105x105 Omniglot frame in the middle of 112x112: at decodeSize 224, crop 7 leaves it',
      ),
    inkRadius: z
      .number()
      .positive()
      .max(256)
      .optional()
      .describe(
        "centre each clip on the ink of its last frame and scale it so that the ink's RMS distance from its centre is this many pixels of the S x S frame (the same move and scale for every frame, area-averaged from `decodeSize`); default: frames kept as drawn. Drawing videos: 6.5 (chosen on training alphabets)",
      ),
  })
  .superRefine((v, ctx) => {
    if (v.crop !== undefined && 2 * v.crop >= (v.decodeSize ?? v.size)) {
      ctx.addIssue({
        code: 'custom',
        path: ['crop'],
        message: `crop ${v.crop} leaves nothing of a ${v.decodeSize ?? v.size}-pixel frame`,
      });
    }
  });

/** Parsed video preprocessing settings. */
export type VideoPreprocess = z.output<typeof videoPreprocessSchema>;

/**
 * [time, height, width, channels] = [T, S, S, C] of one decoded clip. (Models saved before named sample
 * shapes took the same values as [T*S, S, C]: the frames stacked vertically.)
 */
export function videoShape(p: VideoPreprocess): SampleShape {
  return sampleShape([p.frames, p.size, p.size, p.channels], ['time', 'height', 'width', 'channels']);
}

// `train.augment` of the video modality: the image plugin's affine distortions, one per clip (video-augment.ts).
export { videoAugmentSchema, type VideoAugment } from './video-augment.js';
