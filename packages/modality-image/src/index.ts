export { ImageModality, type ImageAugment } from './image-modality.js';
export { imagePreprocessSchema, imageShape, type ImagePreprocess } from './image-preprocess.js';
export { imageInputDims } from './image-input.js';
export { Conv4Encoder, conv4OptionsSchema } from './conv4-encoder.js';
export { KochEncoder, kochOptionsSchema } from './koch-encoder.js';
export { loadOmniglot, omniglotOptionsSchema } from './omniglot-loader.js';
export { loadFolder, folderOptionsSchema } from './folder-loader.js';
export { decodeImage, readImage } from './decode-image.js';
export type { Raster } from './raster.js';
export { resizeArea, resampleWeights } from './resize-area.js';
export { default } from './image-module.js';
export {
  affineAugment,
  affineAugmentSchema,
  affineMatrix,
  warpAffine,
  drawAffineParams,
  type AffineAugmentOptions,
  type AffineParams,
} from './affine-augment.js';
export { rotateClasses, rotateSquare, rotatedLabel, QUARTER_TURNS } from './rotate-classes.js';
