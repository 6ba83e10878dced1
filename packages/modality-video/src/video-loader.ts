import {
  loadClassFolders,
  loadGroupedFolders,
  nameSuffix,
  parseOptions,
  suffixAttr,
  z,
  type DatasetSpec,
  type LabeledSet,
} from '@fewshot/core/plugin';
import { VIDEO_FILES } from './video-files.js';

/** Options of the class-per-folder layout (`data.<split>.options`). */
export const videoFolderOptionsSchema = z.strictObject({
  nameAttr: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe(
      'name of an attribute taken from each file name: the part of the stem after its last `_` (`0683_17.mp4` -> 17)',
    ),
});

/** The Omniglot-style layout takes no options. */
export const videoOmniglotOptionsSchema = z.strictObject({});

/**
 * Class-per-folder at any depth: every folder below the root that holds video files is a class,
 * named by its path relative to the root (`Alphabet/character01/*.mp4` -> class
 * `Alphabet/character01`). Attributes: `group` (the top folder) and, with `nameAttr`, one taken from
 * the file name. `include` / `exclude` name classes or any folder above them.
 */
export async function loadVideoFolder(spec: DatasetSpec): Promise<LabeledSet> {
  const { nameAttr } = parseOptions(videoFolderOptionsSchema, spec.options, `${spec.name}.options`);
  return loadClassFolders(spec, {
    files: VIDEO_FILES,
    attrs: (name, folder) => {
      const attrs: Record<string, string> = { group: folder.split('/')[0]! };
      if (nameAttr !== undefined) attrs[nameAttr] = nameSuffix(name);
      return attrs;
    },
  });
}

/**
 * Omniglot drawing videos as the shared set lays them out: `<root>/<Alphabet>/characterNN/<id>_<drawer>.mp4`.
 * Classes are `Alphabet/characterNN`, with attrs `alphabet`, `character` and `drawer`; `include` /
 * `exclude` name alphabets.
 */
export async function loadVideoOmniglot(spec: DatasetSpec): Promise<LabeledSet> {
  parseOptions(videoOmniglotOptionsSchema, spec.options, `${spec.name}.options`);
  return loadGroupedFolders(spec, {
    files: VIDEO_FILES,
    groupAttr: 'alphabet',
    classAttr: 'character',
    groupWord: 'alphabet',
    attrs: suffixAttr('drawer'),
    expected: '<root>/<Alphabet>/characterNN/<id>_<drawer>.mp4',
  });
}
