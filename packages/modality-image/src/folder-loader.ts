import { join } from 'node:path';
import { LabeledSet, listDatasetRoot, listFolder, parseOptions, selectGroups, z, type DatasetSpec, type SampleRef } from '@fewshot/core';
import { isImageFile, noImagesError } from './dataset-folder.js';

/** Options of the class-per-folder layout (`data.<split>.options`). */
export const folderOptionsSchema = z.strictObject({
  depth: z.number().int().min(1).max(8).default(1).describe('folder levels that name the class (2 gives `a/b`)'),
});

/**
 * Load a class-per-folder data set: `<root>/<class>/<images>`, or with `depth: 2`
 * `<root>/<a>/<b>/<images>` and class `a/b`. Images anywhere below a class folder belong to it;
 * files above the class level are ignored. `include` / `exclude` name classes (or, with depth > 1,
 * their top folders).
 */
export async function loadFolder(spec: DatasetSpec): Promise<LabeledSet> {
  const { depth } = parseOptions(folderOptionsSchema, spec.options, `${spec.name}.options`);
  const root = await listDatasetRoot(spec);
  let classes = root.dirs;
  for (let level = 1; level < depth; level++) {
    const next = await Promise.all(
      classes.map(async (c) => (await listFolder(join(spec.path, c))).dirs.map((d) => `${c}/${d}`)),
    );
    classes = next.flat();
  }
  const chosen = selectGroups(spec, classes, 'class');
  const perClass = await Promise.all(
    chosen.map(async (label) => {
      const files = await listImages(join(spec.path, label));
      return files.map((rel): SampleRef => ({ id: `${label}/${rel}`, path: join(spec.path, label, rel), label }));
    }),
  );
  const samples = perClass.flat();
  if (samples.length === 0) {
    const where = Array.from({ length: depth }, (_, i) => `<level${i + 1}>`).join('/');
    throw noImagesError(spec, depth === 1 ? '<root>/<class>/<image files>' : `<root>/${where}/<image files>`, root);
  }
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}

/** Image files below a folder, as sorted `/`-separated paths relative to it. */
async function listImages(dir: string): Promise<string[]> {
  const { dirs, files } = await listFolder(dir);
  const nested = await Promise.all(dirs.map(async (d) => (await listImages(join(dir, d))).map((f) => `${d}/${f}`)));
  return [...files.filter(isImageFile), ...nested.flat()];
}
