import type { SampleRef } from '../../labeled-set.js';
import type { DatasetSpec } from '../../modality.js';
import { noSamplesError, type FolderEntries } from '../dataset-folder.js';
import type { SampleFileType } from './sample-files.js';

/** A filter a loader applies to the samples it listed (speakers, attribute values...). */
export interface SampleFilter {
  /** The filter in messages, plural: `speaker/attribute filters`. */
  readonly what: string;
  /** The samples to keep, in order. */
  readonly apply: (samples: readonly SampleRef[]) => SampleRef[];
}

/**
 * Apply a loader's `filter`, then leave out classes with fewer than `minSamples` samples. When nothing is
 * left, a DataError says which step emptied the data set (`expected` and `root` as for noSamplesError).
 */
export function selectSamples(
  spec: DatasetSpec,
  samples: readonly SampleRef[],
  settings: { readonly filter?: SampleFilter | undefined; readonly minSamples?: number | undefined },
  type: SampleFileType,
  expected: string,
  root: FolderEntries,
): SampleRef[] {
  let kept = samples.slice();
  const { filter, minSamples = 1 } = settings;
  if (filter) {
    kept = filter.apply(kept);
    if (kept.length === 0) {
      throw noSamplesError(spec, type.kind, type.extensions, expected, root, [
        `the ${filter.what} leave none of its ${samples.length} files`,
      ]);
    }
  }
  if (minSamples > 1) {
    const counts = new Map<string, number>();
    for (const s of kept) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
    const before = kept.length;
    kept = kept.filter((s) => counts.get(s.label)! >= minSamples);
    if (kept.length === 0) {
      throw noSamplesError(spec, type.kind, type.extensions, expected, root, [
        `none of its ${counts.size} classes has ${minSamples} or more ${type.kind} (minSamples), ${before} ${type.kind} in all`,
      ]);
    }
  }
  return kept;
}
