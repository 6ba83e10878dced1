import { join } from 'node:path';
import { ConfigError, LabeledSet, listDatasetRoot, parseOptions, selectGroups, z, type DatasetSpec, type SampleRef } from '@fewshot/core';
import { filterSamples, listAudioFiles, noAudioError, sampleFilterShape } from './audio-files.js';

/** Options of the class-per-folder layout (`data.<split>.options`). */
export const folderOptionsSchema = z.strictObject({
  filePattern: z
    .string()
    .min(1)
    .default('^(?<speaker>[^_.]+)')
    .describe('regular expression on the file name; its named groups become sample attributes (default: speaker = the name up to the first _)'),
  ...sampleFilterShape,
});

/**
 * Load a class-per-folder audio data set: `<root>/<class>/<files>.wav` (class names may hold spaces; files
 * anywhere below a class folder belong to it). Named groups of `filePattern` matched on each file name
 * become attributes (Arabic Speech Commands: `00000001_NO_01.wav` -> speaker `00000001`); a file the
 * pattern does not match gets none. `include` / `exclude` name classes; `speakers`, `excludeSpeakers`,
 * `where` and `whereNot` filter samples by attribute.
 */
export async function loadAudioFolder(spec: DatasetSpec): Promise<LabeledSet> {
  const o = parseOptions(folderOptionsSchema, spec.options, `${spec.name}.options`);
  const pattern = compilePattern(o.filePattern, `${spec.name}.options.filePattern`);
  const root = await listDatasetRoot(spec);
  const chosen = selectGroups(spec, root.dirs, 'class');
  const perClass = await Promise.all(
    chosen.map(async (label) =>
      (await listAudioFiles(join(spec.path, label))).map((rel): SampleRef => {
        const name = rel.slice(rel.lastIndexOf('/') + 1);
        const attrs = groupsOf(pattern.exec(name));
        return { id: `${label}/${rel}`, path: join(spec.path, label, rel), label, ...(attrs ? { attrs } : {}) };
      }),
    ),
  );
  const all = perClass.flat();
  if (all.length === 0) throw noAudioError(spec, '<root>/<class>/<audio files>', root);
  const samples = filterSamples(spec, all, o);
  if (samples.length === 0) throw noAudioError(spec, '<root>/<class>/<audio files>', root, [`the speaker/attribute filters leave none of its ${all.length} files`]);
  return new LabeledSet(samples, `${spec.name} (${spec.path})`);
}

/** Compile a user's regular expression, or throw a ConfigError naming the key. */
export function compilePattern(source: string, where: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new ConfigError(`${where}: not a valid regular expression: ${(err as Error).message}`);
  }
}

/** The defined named groups of a match, or undefined when there are none. */
export function groupsOf(m: RegExpExecArray | null): Record<string, string> | undefined {
  if (!m?.groups) return undefined;
  const entries = Object.entries(m.groups).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}
