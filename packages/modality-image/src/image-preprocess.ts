import { sampleShape, z, type SampleShape } from '@fewshot/core/plugin';

const side = z.number().int().min(4).max(512);

/**
 * `data.preprocess` of the image modality. `size` sets a square side; `height` and `width` (both
 * together) set a rectangle instead. The parsed form always has `height` and `width` and never
 * `size`, so parsing it again gives the same object.
 */
export const imagePreprocessSchema = z
  .strictObject({
    size: side.optional().describe('side of the square input in pixels (default 28)'),
    height: side.optional().describe('input height in pixels (with width, instead of size)'),
    width: side.optional().describe('input width in pixels (with height, instead of size)'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .default(1)
      .describe('1 = grey (luma), 3 = RGB'),
    invert: z
      .boolean()
      .default(true)
      .describe('map white to 0 and black to 1 (Omniglot: ink becomes 1 on a 0 background)'),
    normalize: z
      .enum(['none', 'unit'])
      .default('unit')
      .describe("'unit': values in [0, 1]; 'none': the 8-bit scale [0, 255]"),
  })
  .superRefine((v, ctx) => {
    if (v.size !== undefined && (v.height !== undefined || v.width !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'give either size or height and width, not both' });
    } else if ((v.height === undefined) !== (v.width === undefined)) {
      const [missing, given] = v.height === undefined ? ['height', 'width'] : ['width', 'height'];
      ctx.addIssue({ code: 'custom', path: [missing], message: `${missing} is required together with ${given}` });
    }
  })
  .transform(({ size, height, width, channels, invert, normalize }) => ({
    height: height ?? size ?? 28,
    width: width ?? size ?? 28,
    channels,
    invert,
    normalize,
  }));

/** Parsed image preprocessing settings. */
export type ImagePreprocess = z.output<typeof imagePreprocessSchema>;

/** [height, width, channels] of one decoded image. */
export function imageShape(p: ImagePreprocess): SampleShape {
  return sampleShape([p.height, p.width, p.channels], ['height', 'width', 'channels']);
}
