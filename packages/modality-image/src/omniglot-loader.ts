import { join } from 'node:path';
import { LabeledSet, listDatasetRoot, listFolder, parseOptions, selectGroups, z, type DatasetSpec, type SampleRef } from '@fewshot/core';
import { isImageFile, noImagesError } from './dataset-folder.js';

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
  const root = await listDatasetRoot(spec);
  const alphabets = selectGroups(spec, root.dirs, 'alphabet');
  const perAlphabet = await Promise.all(alphabets.map((alphabet) => readAlphabet(spec.path, alphabet)));
  const samples = perAlphabet.flat();
  if (samples.length === 0) {
    throw noImagesError(spec, '<root>/<Alphabet>/characterNN/<id>_<drawer>.png', root);
  }
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}

async function readAlphabet(root: string, alphabet: string): Promise<SampleRef[]> {
  const { dirs } = await listFolder(join(root, alphabet));
  const perCharacter = await Promise.all(
    dirs.map(async (character) => {
      const { files } = await listFolder(join(root, alphabet, character));
      return files.filter(isImageFile).map((file): SampleRef => {
        const stem = file.slice(0, file.lastIndexOf('.'));
        const underscore = stem.lastIndexOf('_');
        return {
          id: `${alphabet}/${character}/${file}`,
          path: join(root, alphabet, character, file),
          label: `${alphabet}/${character}`,
          attrs: { alphabet, character, drawer: underscore >= 0 ? stem.slice(underscore + 1) : '' },
        };
      });
    }),
  );
  return perCharacter.flat();
}
