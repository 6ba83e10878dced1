import {
  compareNames,
  ConfigError,
  noSamplesError,
  unknownNameError,
  z,
  type DataError,
  type DatasetSpec,
  type FolderEntries,
  type SampleFileType,
  type SampleFilter,
  type SampleRef,
} from '@fewshot/core/plugin';

/** File extensions the audio loaders pick up (case-insensitive). */
export const AUDIO_EXTENSIONS: readonly string[] = ['.wav', '.wave'];

/** The sample files of the audio layouts. */
export const AUDIO_FILES: SampleFileType = { kind: 'audio files', extensions: AUDIO_EXTENSIONS };

const attrValue = z.union([z.string().min(1), z.number()]);
const attrValues = z.array(attrValue).min(1);

/** Sample filters shared by the audio layouts (in `data.<split>.options`). */
export const sampleFilterShape = {
  speakers: attrValues.optional().describe('only these speakers (the `speaker` attribute)'),
  excludeSpeakers: attrValues.optional().describe('all but these speakers'),
  where: z
    .record(z.string(), attrValues)
    .optional()
    .describe('only samples whose attribute is one of the values, e.g. { take: [0, 1, 2] }'),
  whereNot: z
    .record(z.string(), attrValues)
    .optional()
    .describe('all but samples whose attribute is one of the values'),
};
export type SampleFilters = {
  speakers?: (string | number)[] | undefined;
  excludeSpeakers?: (string | number)[] | undefined;
  where?: Record<string, (string | number)[]> | undefined;
  whereNot?: Record<string, (string | number)[]> | undefined;
};

/** A config value matches an attribute: equal strings, or a YAML number equal to an all-digit attribute (`7` matches `'07'`). */
function matches(value: string | number, attr: string | undefined): boolean {
  if (attr === undefined) return false;
  if (typeof value === 'number') return /^\d+$/.test(attr) && Number(attr) === value;
  return value === attr;
}

/**
 * Keep the samples that pass the speaker and attribute filters. A listed value that no sample has is a
 * ConfigError (a typo would otherwise silently empty or leak a split).
 */
export function filterSamples(spec: DatasetSpec, samples: readonly SampleRef[], f: SampleFilters): SampleRef[] {
  const keep: { attr: string; values: (string | number)[]; negate: boolean; key: string }[] = [];
  if (f.speakers) keep.push({ attr: 'speaker', values: f.speakers, negate: false, key: 'speakers' });
  if (f.excludeSpeakers)
    keep.push({ attr: 'speaker', values: f.excludeSpeakers, negate: true, key: 'excludeSpeakers' });
  for (const [attr, values] of Object.entries(f.where ?? {}))
    keep.push({ attr, values, negate: false, key: `where.${attr}` });
  for (const [attr, values] of Object.entries(f.whereNot ?? {}))
    keep.push({ attr, values, negate: true, key: `whereNot.${attr}` });
  for (const k of keep) {
    const known = [...new Set(samples.map((s) => s.attrs?.[k.attr]).filter((v): v is string => v !== undefined))].sort(
      compareNames,
    );
    if (known.length === 0) {
      throw new ConfigError(`${spec.name}.options.${k.key}: no sample in ${spec.path} has a '${k.attr}' attribute`, {
        hints: [
          `attributes found: ${[...new Set(samples.flatMap((s) => Object.keys(s.attrs ?? {})))].join(', ') || 'none'}`,
        ],
      });
    }
    for (const v of k.values)
      if (!known.some((a) => matches(v, a)))
        throw unknownNameError(`${spec.name}.options.${k.key}`, k.attr, String(v), known, spec.path);
  }
  return samples.filter((s) => keep.every((k) => k.values.some((v) => matches(v, s.attrs?.[k.attr])) !== k.negate));
}

/** The speaker and attribute filters as a loader's sample filter. */
export function sampleFilter(spec: DatasetSpec, f: SampleFilters): SampleFilter {
  return { what: 'speaker/attribute filters', apply: (samples) => filterSamples(spec, samples, f) };
}

/** DataError for a data set without any usable audio file, saying which layout was expected. */
export function noAudioError(
  spec: DatasetSpec,
  expected: string,
  found: FolderEntries,
  extra: string[] = [],
): DataError {
  return noSamplesError(spec, 'audio files', AUDIO_EXTENSIONS, expected, found, extra);
}
