import { isSampleFile, type SampleFileType } from '@fewshot/core/plugin';

/** File extensions the video loaders pick up (case-insensitive). */
export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.webm', '.avi', '.mov', '.mkv'];

/** The sample files of the video layouts. */
export const VIDEO_FILES: SampleFileType = { kind: 'video files', extensions: VIDEO_EXTENSIONS };

export function isVideoFile(name: string): boolean {
  return isSampleFile(name, VIDEO_FILES);
}
