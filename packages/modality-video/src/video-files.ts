import { hasExtension, noSamplesError, type DataError, type DatasetSpec, type FolderEntries } from '@fewshot/core/plugin';

/** File extensions the video loaders pick up (case-insensitive). */
export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.webm', '.avi', '.mov', '.mkv'];

export function isVideoFile(name: string): boolean {
  return hasExtension(name, VIDEO_EXTENSIONS);
}

/** DataError for a data set root without any video, saying which layout was expected. */
export function noVideosError(spec: DatasetSpec, expected: string, found: FolderEntries): DataError {
  return noSamplesError(spec, 'video files', VIDEO_EXTENSIONS, expected, found);
}
