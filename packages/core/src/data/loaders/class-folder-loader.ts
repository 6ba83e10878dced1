import { join } from 'node:path';
import { LabeledSet, type SampleRef } from '../../labeled-set.js';
import type { DatasetSpec } from '../../modality.js';
import { listDatasetRoot, listFolder, noSamplesError, selectGroups } from '../dataset-folder.js';
import { selectSamples, type SampleFilter } from './select-samples.js';
import { isSampleFile, listSampleFiles, samplePlaceholder, type SampleFileType } from './sample-files.js';

/** How {@link loadClassFolders} reads a class-per-folder data set. */
export interface ClassFolderSettings {
  /** Which files are samples. */
  readonly files: SampleFileType;
  /**
   * Folder levels below the root that name a class (2: `<root>/<a>/<b>/...`, class `a/b`); sample files
   * anywhere below a class folder belong to it, files above the class level are ignored. Undefined: every
   * folder that itself holds sample files is a class, at any depth.
   */
  readonly depth?: number | undefined;
  /** A class's label from its folder path relative to the root (`/`-separated); default the path itself. */
  readonly label?: (folder: string) => string;
  /** A sample's attributes from its file name (no folders) and its class folder; undefined for none. */
  readonly attrs?: (name: string, folder: string) => Record<string, string> | undefined;
  /** Keep only some of the samples (speakers, attribute values...), before `minSamples`. */
  readonly filter?: SampleFilter;
  /** Leave out classes with fewer samples (default 1). */
  readonly minSamples?: number;
}

/**
 * Load a class-per-folder data set: `<root>/<class>/<files>`, or deeper with `depth` or at any depth.
 * A sample's id is its path relative to the root, its label its class folder's path (or `label` of it).
 * `spec.include` / `spec.exclude` name class folders or any folder above them. A missing root, or one
 * without any sample, is a DataError naming the path, `spec.name` and the layout expected.
 */
export async function loadClassFolders(spec: DatasetSpec, settings: ClassFolderSettings): Promise<LabeledSet> {
  const { files: type, depth } = settings;
  const root = await listDatasetRoot(spec);
  let found: { folder: string; file: string }[];
  if (depth === undefined) {
    const all = (await Promise.all(root.dirs.map((d) => listClassFiles(spec.path, d, type)))).flat();
    const chosen = new Set(selectGroups(spec, [...new Set(all.map((f) => f.folder))], 'class'));
    found = all.filter((f) => chosen.has(f.folder));
  } else {
    let folders = root.dirs;
    for (let level = 1; level < depth; level++) {
      folders = (
        await Promise.all(folders.map(async (c) => (await listFolder(join(spec.path, c))).dirs.map((d) => `${c}/${d}`)))
      ).flat();
    }
    const chosen = selectGroups(spec, folders, 'class');
    found = (
      await Promise.all(
        chosen.map(async (folder) =>
          (await listSampleFiles(join(spec.path, folder), type)).map((file) => ({ folder, file })),
        ),
      )
    ).flat();
  }
  const samples = found.map(({ folder, file }): SampleRef => {
    const attrs = settings.attrs?.(file.slice(file.lastIndexOf('/') + 1), folder);
    const label = settings.label ? settings.label(folder) : folder;
    return { id: `${folder}/${file}`, path: join(spec.path, folder, file), label, ...(attrs ? { attrs } : {}) };
  });
  const expected = `<root>/${depth === undefined ? '<class folders, any depth>' : depth === 1 ? '<class>' : levels(depth)}/${samplePlaceholder(type)}`;
  if (samples.length === 0) throw noSamplesError(spec, type.kind, type.extensions, expected, root);
  const kept = selectSamples(spec, samples, settings, type, expected, root);
  return new LabeledSet(kept, `${spec.name} (${spec.path})`);
}

/** `<level1>/<level2>/...` for a class `depth` folders deep. */
function levels(depth: number): string {
  return Array.from({ length: depth }, (_, i) => `<level${i + 1}>`).join('/');
}

/** The sample files below `rel` (relative to `root`), each with its class: the folder that holds it. */
async function listClassFiles(
  root: string,
  rel: string,
  type: SampleFileType,
): Promise<{ folder: string; file: string }[]> {
  const { dirs, files } = await listFolder(join(root, rel));
  const here = files.filter((f) => isSampleFile(f, type)).map((file) => ({ folder: rel, file }));
  const below = await Promise.all(dirs.map((d) => listClassFiles(root, `${rel}/${d}`, type)));
  return [...here, ...below.flat()];
}
