import { existsSync, readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import type { LabeledSet } from '../labeled-set.js';
import { writeAtomic } from '../model/model-io.js';
import type { Episode } from '../samplers/episode-sampler.js';

/** First line of an episodes/<task>.jsonl manifest: what the episodes were drawn from. */
export interface ManifestHeader {
  readonly task: string;
  readonly episodesKey: string;
  readonly dataFingerprint: string;
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  readonly episodes: number;
  readonly seed: number;
}

/** One episode of a manifest, by sample id (not index), so any method can map it to its own rows. */
export interface ManifestEpisode {
  readonly classes: readonly string[];
  readonly support: readonly (readonly string[])[];
  /** [sample id, class index in `classes`]. */
  readonly queries: readonly (readonly [string, number])[];
}

/** Episodes (indices into `set`) as manifest lines (sample ids). */
export function toManifest(set: LabeledSet, episodes: readonly Episode[]): ManifestEpisode[] {
  const id = (i: number): string => set.samples[i]!.id;
  return episodes.map((ep) => ({
    classes: ep.classes,
    support: ep.supportSet.map((shots) => shots.map(id)),
    queries: ep.querySet.map((q) => [id(q.sample), q.label] as const),
  }));
}

/** Manifest episodes back to indices into `set`; a sample id the set does not hold is a DataError. */
export function fromManifest(set: LabeledSet, episodes: readonly ManifestEpisode[], file: string): Episode[] {
  const index = new Map(set.samples.map((s, i) => [s.id, i]));
  const at = (id: string): number => {
    const i = index.get(id);
    if (i === undefined)
      throw new DataError(`${file}: sample '${id}' is not in ${set.source}`, {
        hints: ['delete the manifest to draw the episodes again'],
      });
    return i;
  };
  return episodes.map((ep) => ({
    classes: ep.classes,
    supportSet: ep.support.map((shots) => shots.map(at)),
    querySet: ep.queries.map(([id, label]) => ({ sample: at(id), label })),
  }));
}

/** The manifest in `file` when it was drawn with `episodesKey`, else undefined. */
export function readManifest(file: string, episodesKey: string): ManifestEpisode[] | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  try {
    const header = JSON.parse(lines[0] ?? '{}') as ManifestHeader;
    if (header.episodesKey !== episodesKey) return undefined;
    const episodes = lines.slice(1).map((l) => JSON.parse(l) as ManifestEpisode);
    return episodes.length === header.episodes ? episodes : undefined;
  } catch {
    return undefined; // unreadable: drawn again
  }
}

/** Write a manifest atomically (header line, then one line per episode). */
export async function writeManifest(
  file: string,
  header: ManifestHeader,
  episodes: readonly ManifestEpisode[],
): Promise<void> {
  await writeAtomic(file, [header, ...episodes].map((x) => JSON.stringify(x)).join('\n') + '\n');
}
