import { hasExtension, noSamplesError, type DatasetSpec, type DataError, type FolderEntries } from '@fewshot/core';

/** File extensions the image loaders pick up (case-insensitive). */
export const IMAGE_EXTENSIONS: readonly string[] = ['.png', '.jpg', '.jpeg'];

export function isImageFile(name: string): boolean {
  return hasExtension(name, IMAGE_EXTENSIONS);
}

/** DataError for a data set root without any image, saying which layout was expected. */
export function noImagesError(spec: DatasetSpec, expected: string, found: FolderEntries): DataError {
  return noSamplesError(spec, 'images', IMAGE_EXTENSIONS, expected, found);
}
