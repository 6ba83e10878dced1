import { type Rng } from '@fewshot/core/plugin';
import {
  affineAugmentSchema,
  affineMatrix,
  drawAffineParams,
  warpAffine,
  type AffineAugmentOptions,
} from '@fewshot/modality-image';

/**
 * `train.augment` (and `eval.tta.augment`) of the video modality: the image plugin's random affine
 * distortions (`affine`, `probability`, `rotation`, `shear`, `scale`, `translation`, `fill`, with its
 * defaults), one distortion per clip applied alike to every frame. `rotateClasses` (the image
 * plugin's class augmentation) is not supported for clips and must stay false. Default: off, and
 * `{}` parses to settings that leave every clip as it is.
 */
export const videoAugmentSchema = affineAugmentSchema.superRefine((v, ctx) => {
  if (v.rotateClasses) {
    ctx.addIssue({
      code: 'custom',
      path: ['rotateClasses'],
      message: 'class rotation is not supported by the video modality (remove it, or set it to false)',
    });
  }
});

/** Parsed video `train.augment` settings (the image plugin's affine settings). */
export type VideoAugment = AffineAugmentOptions;

let sharedScratch = new Float32Array(0);

/**
 * Distort one clip in place: draw ONE affine distortion from `rng` (as the image plugin does for an
 * image of `height` x `width`) and resample every frame of the [frames, height, width, channels]
 * sample through it, so that all frames move, turn and scale alike (the strokes' order is kept).
 * Leaves the clip untouched (drawing nothing) when `affine` is false or the probability is 0, and
 * untouched when no component was drawn. Deterministic given the Rng's state.
 */
export function videoAugment(
  sample: Float32Array,
  frames: number,
  height: number,
  width: number,
  channels: number,
  options: VideoAugment,
  rng: Rng,
): void {
  if (!options.affine || options.probability === 0) return;
  const frameSize = height * width * channels;
  const n = frames * frameSize;
  if (sample.length !== n)
    throw new RangeError(
      `videoAugment: clip has ${sample.length} values, expected ${frames}x${height}x${width}x${channels} = ${n}`,
    );
  const params = drawAffineParams(options, height, width, rng);
  if (!params) return;
  const matrix = affineMatrix(params, height, width);
  if (sharedScratch.length < frameSize) sharedScratch = new Float32Array(frameSize);
  const src = sharedScratch.subarray(0, frameSize);
  for (let t = 0; t < frames; t++) {
    const frame = sample.subarray(t * frameSize, (t + 1) * frameSize);
    src.set(frame);
    warpAffine(src, frame, height, width, channels, matrix, options.fill);
  }
}
