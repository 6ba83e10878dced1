import { join } from 'node:path';
import { LabeledSet, type SampleRef } from '../../labeled-set.js';
import type { DatasetSpec } from '../../modality.js';
import { listDatasetRoot, listFolder, noSamplesError, selectGroups } from '../dataset-folder.js';
import type { FileNameAttrs } from './file-name-attrs.js';
import { isSampleFile, samplePlaceholder, type SampleFileType } from './sample-files.js';
import { selectSamples, type SampleFilter } from './select-samples.js';

/** How {@link loadGroupedFolders} reads a `<group>/<class>/<file>` data set. */
export interface GroupedFolderSettings {
  /** Which files are samples. */
  readonly files: SampleFileType;
  /** Attribute holding a sample's group folder (Omniglot: `alphabet`); default `group`. */
  readonly groupAttr?: string;
  /** Attribute holding a sample's class folder (Omniglot: `character`); default `class`. */
  readonly classAttr?: string;
  /** What a group is in messages (`alphabet`); default `group`. */
  readonly groupWord?: string;
  /** More attributes from each file name, e.g. `suffixAttr('drawer')` or `patternAttrs(/_(?<drawer>\d+)\./)`. */
  readonly attrs?: FileNameAttrs;
  /** The layout in the error for a data set without samples; default `<root>/<group>/<class>/<files>`. */
  readonly expected?: string;
  /** Keep only some of the samples, before `minSamples`. */
  readonly filter?: SampleFilter;
  /** Leave out classes with fewer samples (default 1). */
  readonly minSamples?: number;
}

/**
 * Load a data set laid out `<root>/<group>/<class>/<file>` (Omniglot: `Alphabet/characterNN/0709_17.png`).
 * Classes are `group/class`; a sample's id is its path relative to the root, its attrs the group and class
 * folders (`groupAttr`, `classAttr`) then those `attrs` takes from its file name. `spec.include` /
 * `spec.exclude` name groups. Groups are read in parallel, one readdir per folder.
 */
export async function loadGroupedFolders(spec: DatasetSpec, settings: GroupedFolderSettings): Promise<LabeledSet> {
  const { files: type, groupAttr = 'group', classAttr = 'class' } = settings;
  const root = await listDatasetRoot(spec);
  const groups = selectGroups(spec, root.dirs, settings.groupWord ?? 'group');
  const perGroup = await Promise.all(
    groups.map(async (group) => {
      const { dirs } = await listFolder(join(spec.path, group));
      const perClass = await Promise.all(
        dirs.map(async (cls) => {
          const { files } = await listFolder(join(spec.path, group, cls));
          return files
            .filter((f) => isSampleFile(f, type))
            .map((file): SampleRef => ({
              id: `${group}/${cls}/${file}`,
              path: join(spec.path, group, cls, file),
              label: `${group}/${cls}`,
              attrs: { [groupAttr]: group, [classAttr]: cls, ...settings.attrs?.(file) },
            }));
        }),
      );
      return perClass.flat();
    }),
  );
  const samples = perGroup.flat();
  const expected = settings.expected ?? `<root>/<group>/<class>/${samplePlaceholder(type)}`;
  if (samples.length === 0) throw noSamplesError(spec, type.kind, type.extensions, expected, root);
  return new LabeledSet(selectSamples(spec, samples, settings, type, expected, root), `${spec.name} (${spec.path})`);
}
