import {
  loadGroupedFolders,
  parseOptions,
  suffixAttr,
  z,
  type DatasetSpec,
  type LabeledSet,
} from '@fewshot/core/plugin';
import { IMAGE_FILES } from './image-files.js';

/** The Omniglot layout takes no options. */
export const omniglotOptionsSchema = z.strictObject({});

/**
 * Load an Omniglot split laid out as its publishers do: `<root>/<Alphabet>/characterNN/<id>_<drawer>.png`.
 * Classes are `Alphabet/characterNN`; each sample's id is its path relative to the root, with attrs
 * `alphabet`, `character` and `drawer` (`0709_17.png` -> `17`). `include` / `exclude` name alphabets.
 * Alphabets are read in parallel (one readdir per folder; about 1,000 for the background set).
 */
export async function loadOmniglot(spec: DatasetSpec): Promise<LabeledSet> {
  parseOptions(omniglotOptionsSchema, spec.options, `${spec.name}.options`);
  return loadGroupedFolders(spec, {
    files: IMAGE_FILES,
    groupAttr: 'alphabet',
    classAttr: 'character',
    groupWord: 'alphabet',
    attrs: suffixAttr('drawer'),
    expected: '<root>/<Alphabet>/characterNN/<id>_<drawer>.png',
  });
}
