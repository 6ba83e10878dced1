import type { SampleFileType } from '@fewshot/core/plugin';

/** File extensions the image loaders pick up (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

/** The sample files of the image layouts. */
export const IMAGE_FILES: SampleFileType = {
  kind: 'images',
  extensions: IMAGE_EXTENSIONS,
  placeholder: '<image files>',
};
