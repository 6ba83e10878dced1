import { loadClassFolders, parseOptions, z, type DatasetSpec, type LabeledSet } from '@fewshot/core/plugin';
import { IMAGE_FILES } from './image-files.js';

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
  return loadClassFolders(spec, { files: IMAGE_FILES, depth });
}
