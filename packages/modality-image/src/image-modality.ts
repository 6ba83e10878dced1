import { injectable } from 'inversify';
import { loadLayout, parseOptions, type DatasetSpec, type DecodedSet, type LabeledSet, type Modality, type Preprocess, type Rng } from '@fewshot/core';
import { affineAugment, affineAugmentSchema, type AffineAugmentOptions } from './affine-augment.js';
import { readImage } from './decode-image.js';
import { loadFolder } from './folder-loader.js';
import { imagePreprocess, imagePreprocessSchema } from './image-preprocess.js';
import { loadOmniglot } from './omniglot-loader.js';
import { resizeArea } from './resize-area.js';
import { rotateClasses } from './rotate-classes.js';

const loaders: Readonly<Record<string, (spec: DatasetSpec) => Promise<LabeledSet>>> = {
  omniglot: loadOmniglot,
  folder: loadFolder,
};

/** Parsed `train.augment` settings, by the identity of the mapping the trainer hands over. */
const augmentOptions = new WeakMap<object, AffineAugmentOptions>();

/**
 * Images: Omniglot and class-per-folder layouts, PNG and JPEG files decoded to grey or RGB, resized
 * (area average down, bilinear up) to `data.preprocess` size, by default inverted so that ink is 1.
 */
@injectable()
export class ImageModality implements Modality {
  readonly id = 'image';
  /** Bump when `decode` gives different data for the same file and settings (part of the cache key). */
  readonly cacheVersion = '1';
  readonly description = 'images (PNG, JPEG): Omniglot and class-per-folder layouts, grey or RGB, resized to a fixed size';
  readonly layouts = Object.keys(loaders);
  readonly defaultEncoder = 'conv4';
  readonly preprocessSchema = imagePreprocessSchema;

  inputShape(pre: Preprocess): [number, number, number] {
    const p = imagePreprocess(pre);
    return [p.height, p.width, p.channels];
  }

  async load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, loaders, spec);
  }

  async decode(path: string, pre: Preprocess): Promise<Float32Array> {
    const p = imagePreprocess(pre);
    const img = await readImage(path, p.channels);
    // A fresh array either way (resizeArea hands back the decoded one when the size already fits).
    const result = resizeArea(img.data, img.height, img.width, p.channels, p.height, p.width);
    const scale = p.normalize === 'unit' ? 1 : 255;
    for (let i = 0; i < result.length; i++) {
      const v = result[i] as number;
      result[i] = (p.invert ? 1 - v : v) * scale;
    }
    return result;
  }

  /**
   * Koch et al. (2015) affine distortions of one training sample, in place (see `affineAugment`).
   * `options` (`train.augment`) is validated once per object; a bad setting is a ConfigError naming
   * `train.augment.<key>`.
   */
  augment(sample: Float32Array, pre: Preprocess, options: Readonly<Record<string, unknown>>, rng: Rng): void {
    const o = parseAugment(options);
    if (!o.affine) return;
    const p = imagePreprocess(pre);
    affineAugment(sample, p.height, p.width, p.channels, o, rng);
  }

  /** With `train.augment.rotateClasses`, every training class turned by 90, 180 and 270 degrees as new classes. */
  augmentClasses(train: DecodedSet, _pre: Preprocess, options: Readonly<Record<string, unknown>>): DecodedSet {
    return parseAugment(options).rotateClasses ? rotateClasses(train) : train;
  }
}

/** `train.augment` validated once per object; a bad setting is a ConfigError naming `train.augment.<key>`. */
function parseAugment(options: Readonly<Record<string, unknown>>): AffineAugmentOptions {
  let o = augmentOptions.get(options);
  if (!o) {
    o = parseOptions(affineAugmentSchema, options, 'train.augment');
    augmentOptions.set(options, o);
  }
  return o;
}
