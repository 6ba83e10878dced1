import {
  loadLayout,
  type DatasetSpec,
  type DecodedSet,
  type LabeledSet,
  type Modality,
  type Rng,
  type SampleRef,
  type SampleShape,
} from '@fewshot/core/plugin';
import { affineAugment, affineAugmentSchema, type AffineAugmentOptions } from './affine-augment.js';
import { readImage } from './decode-image.js';
import { loadFolder } from './folder-loader.js';
import { imagePreprocessSchema, imageShape, type ImagePreprocess } from './image-preprocess.js';
import { imageThumbnail, type Picture } from './image-thumbnail.js';
import { loadOmniglot } from './omniglot-loader.js';
import { resizeArea } from './resize-area.js';
import { rotateClasses } from './rotate-classes.js';

const loaders: Readonly<Record<string, (spec: DatasetSpec) => Promise<LabeledSet>>> = {
  omniglot: loadOmniglot,
  folder: loadFolder,
};

/** Parsed `train.augment` of the image modality. */
export type ImageAugment = AffineAugmentOptions;

/**
 * Images: Omniglot and class-per-folder layouts, PNG and JPEG files decoded to grey or RGB, resized
 * (area average down, bilinear up) to `data.preprocess` size, by default inverted so that ink is 1.
 */
export class ImageModality implements Modality<ImagePreprocess, ImageAugment> {
  readonly id = 'image';
  /** Bump when `decode` gives different data for the same file and settings (part of the cache key). */
  readonly cacheVersion = '1';
  readonly description =
    'images (PNG, JPEG): Omniglot and class-per-folder layouts, grey or RGB, resized to a fixed size';
  readonly layouts = Object.keys(loaders);
  readonly defaultEncoder = 'conv4';
  readonly preprocessSchema = imagePreprocessSchema;
  /** Koch et al. (2015) affine distortions and class rotations (see `affineAugmentSchema`). */
  readonly augmentSchema = affineAugmentSchema;

  sampleShape(pre: ImagePreprocess): SampleShape {
    return imageShape(pre);
  }

  /** Images are 8-bit sources: with `normalize: unit` (values in [0, 1]) they may be held as bytes. */
  storesAsUint8(pre: ImagePreprocess): boolean {
    return pre.normalize === 'unit';
  }

  async load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, loaders, spec);
  }

  async decode(ref: SampleRef, p: ImagePreprocess): Promise<Float32Array> {
    const img = await readImage(ref.path, p.channels);
    // A fresh array either way (resizeArea hands back the decoded one when the size already fits).
    const result = resizeArea(img.data, img.height, img.width, p.channels, p.height, p.width);
    const scale = p.normalize === 'unit' ? 1 : 255;
    for (let i = 0; i < result.length; i++) {
      const v = result[i] as number;
      result[i] = (p.invert ? 1 - v : v) * scale;
    }
    return result;
  }

  /** The picture itself, at most 96 pixels a side (report thumbnails). */
  thumbnail = (ref: SampleRef, p: ImagePreprocess): Promise<Picture> => imageThumbnail(ref, p);

  /** Koch et al. (2015) affine distortions of one training sample, in place (see `affineAugment`). */
  augment(sample: Float32Array, p: ImagePreprocess, o: ImageAugment, rng: Rng): void {
    if (!o.affine) return;
    affineAugment(sample, p.height, p.width, p.channels, o, rng);
  }

  /** With `train.augment.rotateClasses`, every training class turned by 90, 180 and 270 degrees as new classes. */
  augmentClasses(train: DecodedSet, _pre: ImagePreprocess, o: ImageAugment): DecodedSet {
    return o.rotateClasses ? rotateClasses(train) : train;
  }
}
