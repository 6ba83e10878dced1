import { join } from 'node:path';
import {
  ConfigError,
  groupNames,
  groupsOf,
  LabeledSet,
  listDatasetRoot,
  listSampleFiles,
  parseOptions,
  previewNames,
  regexOption,
  selectGroups,
  z,
  type DatasetSpec,
  type SampleRef,
} from '@fewshot/core/plugin';
import { AUDIO_FILES, filterSamples, noAudioError, sampleFilterShape } from './audio-files.js';

/** Options of the file-name pattern layout (`data.<split>.options`). */
export const patternOptionsSchema = z.strictObject({
  regex: regexOption().describe(
    'regular expression with named groups, matched on each file path relative to the root (`/` separated)',
  ),
  label: z
    .string()
    .min(1)
    .default('{label}')
    .describe("class label template over the groups: '{digit}', '{digit}-{speaker}'"),
  ...sampleFilterShape,
});

/**
 * Load a data set whose file names say what they are, e.g. FSDD's `<digit>_<speaker>_<take>.wav` with
 * `regex: '^(?<digit>\d)_(?<speaker>[a-z]+)_(?<take>\d+)\.wav$'` and `label: '{digit}'`. Audio files
 * anywhere below the root are matched on their relative path; those that do not match are left out.
 * Every named group becomes a sample attribute; the label is the template with the groups filled in (any
 * group, or a combination). `include` / `exclude` name labels; `speakers`, `excludeSpeakers`, `where` and
 * `whereNot` filter by attribute.
 */
export async function loadPattern(spec: DatasetSpec): Promise<LabeledSet> {
  const o = parseOptions(patternOptionsSchema, spec.options, `${spec.name}.options`);
  const regex = new RegExp(o.regex);
  const groups = groupNames(o.regex);
  if (groups.length === 0)
    throw new ConfigError(`${spec.name}.options.regex: has no named groups, e.g. (?<speaker>[a-z]+)`);
  const used = [...o.label.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);
  if (used.length === 0)
    throw new ConfigError(`${spec.name}.options.label: '${o.label}' names no group; write e.g. '{${groups[0]}}'`);
  for (const g of used) {
    if (!groups.includes(g))
      throw new ConfigError(`${spec.name}.options.label: '{${g}}' is not a named group of the regex`, {
        hints: [`groups: ${groups.join(', ')}`],
      });
  }
  const root = await listDatasetRoot(spec);
  const files = await listSampleFiles(spec.path, AUDIO_FILES);
  const all: SampleRef[] = [];
  for (const rel of files) {
    const attrs = groupsOf(regex.exec(rel));
    if (!attrs) continue;
    const label = o.label.replace(/\{([^}]*)\}/g, (_, g: string) => attrs[g] ?? '');
    all.push({ id: rel, path: join(spec.path, rel), label, attrs });
  }
  if (all.length === 0) {
    throw noAudioError(
      spec,
      `audio files whose path matches ${o.regex}`,
      root,
      files.length > 0 ? [`none of its ${files.length} audio files matches, e.g. ${previewNames(files, 3)}`] : [],
    );
  }
  const labels = [...new Set(all.map((s) => s.label))].sort();
  const chosen = new Set(selectGroups(spec, labels, 'class'));
  const samples = filterSamples(
    spec,
    all.filter((s) => chosen.has(s.label)),
    o,
  );
  if (samples.length === 0)
    throw noAudioError(spec, `audio files whose path matches ${o.regex}`, root, [
      `the include/exclude lists and speaker/attribute filters leave none of its ${all.length} matching files`,
    ]);
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}
