import {
  loadClassFolders,
  parseOptions,
  patternAttrs,
  regexOption,
  z,
  type DatasetSpec,
  type LabeledSet,
} from '@fewshot/core/plugin';
import { AUDIO_FILES, sampleFilter, sampleFilterShape } from './audio-files.js';

/** Options of the class-per-folder layout (`data.<split>.options`). */
export const folderOptionsSchema = z.strictObject({
  filePattern: regexOption()
    .default('^(?<speaker>[^_.]+)')
    .describe(
      'regular expression on the file name; its named groups become sample attributes (default: speaker = the name up to the first _)',
    ),
  ...sampleFilterShape,
});

/**
 * Load a class-per-folder audio data set: `<root>/<class>/<files>.wav` (class names may hold spaces; files
 * anywhere below a class folder belong to it). Named groups of `filePattern` matched on each file name
 * become attributes (Arabic Speech Commands: `00000001_NO_01.wav` -> speaker `00000001`); a file the
 * pattern does not match gets none. `include` / `exclude` name classes; `speakers`, `excludeSpeakers`,
 * `where` and `whereNot` filter samples by attribute.
 */
export async function loadAudioFolder(spec: DatasetSpec): Promise<LabeledSet> {
  const o = parseOptions(folderOptionsSchema, spec.options, `${spec.name}.options`);
  const byName = patternAttrs(new RegExp(o.filePattern));
  return loadClassFolders(spec, { files: AUDIO_FILES, depth: 1, attrs: byName, filter: sampleFilter(spec, o) });
}
