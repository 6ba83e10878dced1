import { join } from 'node:path';
import { hasExtension, listFolder } from '../dataset-folder.js';

/** Which files of a data set are samples, and what messages call them. */
export interface SampleFileType {
  /** The files in messages, plural: `images`, `audio files`. */
  readonly kind: string;
  /** Extensions picked up, lower-case with the dot (matched ignoring case): `['.png', '.jpg']`. */
  readonly extensions: readonly string[];
  /** One file in a layout sketch (`<root>/<class>/<image files>`); default `<kind>`. */
  readonly placeholder?: string;
}

/** Whether a file name is one of `type`'s sample files (by extension, ignoring case). */
export function isSampleFile(name: string, type: SampleFileType): boolean {
  return hasExtension(name, type.extensions);
}

/** The placeholder of one sample file in a layout sketch: `<image files>`. */
export function samplePlaceholder(type: SampleFileType): string {
  return type.placeholder ?? `<${type.kind}>`;
}

/**
 * Sample files below a folder at any depth, as `/`-separated paths relative to it: the folder's own
 * files first (sorted), then each sub-folder's in order. Hidden entries are skipped.
 */
export async function listSampleFiles(dir: string, type: SampleFileType): Promise<string[]> {
  const { dirs, files } = await listFolder(dir);
  const nested = await Promise.all(
    dirs.map(async (d) => (await listSampleFiles(join(dir, d), type)).map((f) => `${d}/${f}`)),
  );
  return [...files.filter((f) => isSampleFile(f, type)), ...nested.flat()];
}
