import { join } from 'node:path';
import { LabeledSet, listDatasetRoot, listFolder, parseOptions, selectGroups, z, type DatasetSpec, type SampleRef } from '@fewshot/core';
import { isVideoFile, noVideosError } from './video-files.js';

/** Options of the class-per-folder layout (`data.<split>.options`). */
export const videoFolderOptionsSchema = z.strictObject({
  nameAttr: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe('name of an attribute taken from each file name: the part of the stem after its last `_` (`0683_17.mp4` -> 17)'),
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
  const root = await listDatasetRoot(spec);
  const found = (await Promise.all(root.dirs.map((d) => listClips(spec.path, d)))).flat();
  const chosen = new Set(selectGroups(spec, [...new Set(found.map((f) => f.label))], 'class'));
  const samples = found
    .filter((f) => chosen.has(f.label))
    .map(({ label, file }): SampleRef => {
      const attrs: Record<string, string> = { group: label.split('/')[0]! };
      if (nameAttr !== undefined) attrs[nameAttr] = nameSuffix(file);
      return { id: `${label}/${file}`, path: join(spec.path, label, file), label, attrs };
    });
  if (samples.length === 0) throw noVideosError(spec, '<root>/<class folders, any depth>/<video files>', root);
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}

/**
 * Omniglot drawing videos as the shared set lays them out: `<root>/<Alphabet>/characterNN/<id>_<drawer>.mp4`.
 * Classes are `Alphabet/characterNN`, with attrs `alphabet`, `character` and `drawer`; `include` /
 * `exclude` name alphabets.
 */
export async function loadVideoOmniglot(spec: DatasetSpec): Promise<LabeledSet> {
  parseOptions(videoOmniglotOptionsSchema, spec.options, `${spec.name}.options`);
  const root = await listDatasetRoot(spec);
  const alphabets = selectGroups(spec, root.dirs, 'alphabet');
  const perAlphabet = await Promise.all(
    alphabets.map(async (alphabet) => {
      const { dirs } = await listFolder(join(spec.path, alphabet));
      const perCharacter = await Promise.all(
        dirs.map(async (character) => {
          const { files } = await listFolder(join(spec.path, alphabet, character));
          return files.filter(isVideoFile).map((file): SampleRef => ({
            id: `${alphabet}/${character}/${file}`,
            path: join(spec.path, alphabet, character, file),
            label: `${alphabet}/${character}`,
            attrs: { alphabet, character, drawer: nameSuffix(file) },
          }));
        }),
      );
      return perCharacter.flat();
    }),
  );
  const samples = perAlphabet.flat();
  if (samples.length === 0) throw noVideosError(spec, '<root>/<Alphabet>/characterNN/<id>_<drawer>.mp4', root);
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}

/** The clips below `rel` (relative to `root`), each with its class: the folder that holds it. */
async function listClips(root: string, rel: string): Promise<{ label: string; file: string }[]> {
  const { dirs, files } = await listFolder(join(root, rel));
  const here = files.filter(isVideoFile).map((file) => ({ label: rel, file }));
  const below = await Promise.all(dirs.map((d) => listClips(root, `${rel}/${d}`)));
  return [...here, ...below.flat()];
}

/** The part of a file's stem after its last `_` (`0683_17.mp4` -> `17`), or '' without one. */
export function nameSuffix(file: string): string {
  const dot = file.lastIndexOf('.');
  const stem = dot > 0 ? file.slice(0, dot) : file;
  const underscore = stem.lastIndexOf('_');
  return underscore >= 0 ? stem.slice(underscore + 1) : '';
}
