import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../config/describe-issues.js';
import { DEFAULT_DATA_DIR } from '../config/load-config.js';
import { DataError, FewshotError } from '../errors.js';
import { readLakeRuns } from '../eval/lake-runs.js';
import { fetchHintFor } from '../data-sets/fetch-hint.js';
import type { LabeledSet } from '../labeled-set.js';
import type { DatasetSpec } from '../modality.js';
import type { ModalityRegistry } from '../registry.js';
import { Rng } from '../rng.js';
import { EpisodeSampler, type Episode } from '../samplers/episode-sampler.js';
import type { BenchTaskSpec } from './bench-schema.js';
import { contentKey } from './content-key.js';
import { fingerprintSet } from './data-fingerprint.js';
import {
  readManifest,
  toManifest,
  fromManifest,
  type ManifestEpisode,
  type ManifestHeader,
} from './episode-manifest.js';
import type { LoadedBench } from './load-bench.js';
import type { BenchTaskResult } from './results-schema.js';

/** A task of the bench file at one grid point (or its explicit runs), with its episodes drawn. */
export interface PlannedTask {
  readonly info: BenchTaskResult;
  readonly spec: BenchTaskSpec;
  /** The listed split (or every file of the runs). */
  readonly set: LabeledSet;
  /** Indices into `set`. */
  readonly episodes: readonly Episode[];
  readonly manifestHeader: ManifestHeader;
  readonly manifest: readonly ManifestEpisode[];
  /** Whether the output folder holds this manifest already (else the run writes it). */
  readonly manifestSaved: boolean;
}

const list = (x: number | readonly number[]): readonly number[] => (typeof x === 'number' ? [x] : x);

/** Absolute root of a task: its `root` resolved from $FEWSHOT_DATA (default ./data), as an experiment's data.root. */
export function taskRoot(spec: BenchTaskSpec, env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env['FEWSHOT_DATA'] || DEFAULT_DATA_DIR, spec.root);
}

/**
 * List a task's data and draw its episodes at every grid point (ways x shots), or read its runs.
 * Episodes come from (data fingerprint, split, N, K, Q, episodes, seed) alone: `seed` forked by
 * 'eval-episodes', as `fewshot eval` draws them. A manifest already in `out` with the same key is
 * read instead of drawing again. Problems (missing data, too few classes) are added to `problems`.
 */
export async function planTask(
  bench: LoadedBench,
  name: string,
  registry: ModalityRegistry,
  out: string,
  problems: ConfigProblem[],
): Promise<PlannedTask[]> {
  const spec = bench.spec.tasks[name]!;
  const key = ['tasks', name];
  const fail = (k: string, message: string): PlannedTask[] => (problems.push(bench.problem([...key, k], message)), []);
  let modality;
  try {
    modality = registry.modality(spec.modality);
  } catch (e) {
    return fail('modality', (e as Error).message);
  }
  if ((spec.path === undefined) === (spec.runs === undefined))
    return fail(
      spec.path ? 'runs' : 'path',
      'give either path (random episodes) or runs (explicit runs), not both or neither',
    );
  const root = taskRoot(spec);
  const seed = spec.seed ?? bench.spec.seed;
  const data = {
    path: '',
    ...(spec.layout ? { layout: spec.layout } : {}),
    ...(spec.include ? { include: spec.include } : {}),
    ...(spec.exclude ? { exclude: spec.exclude } : {}),
  };
  if (spec.runs !== undefined) {
    const dir = path.resolve(root, spec.runs);
    if (!existsSync(dir)) return fail('runs', `runs folder not found: ${dir}`);
    let runs;
    try {
      runs = await readLakeRuns(dir);
    } catch (e) {
      return fail('runs', (e as Error).message);
    }
    const first = runs.episodes[0]!;
    const shape = {
      ways: first.classes.length,
      shots: first.supportSet[0]!.length,
      queries: Math.max(1, Math.round(first.querySet.length / first.classes.length)),
    };
    return [
      made(
        name,
        spec,
        runs.set,
        runs.episodes,
        {
          ...shape,
          episodes: runs.episodes.length,
          seed,
          id: name,
          kind: 'runs',
          data: { ...data, path: dir, runs: true },
        },
        out,
        true,
      ),
    ];
  }
  const split = path.resolve(root, spec.path!);
  if (!existsSync(split)) {
    const fetch = fetchHintFor(split);
    return fail('path', `data set not found: ${split}${fetch ? ` (${fetch})` : ''}`);
  }
  const layout = spec.layout ?? modality.layouts[0];
  if (!layout || !modality.layouts.includes(layout))
    return fail(
      'layout',
      `'${layout}' is not a layout of the '${modality.id}' modality (known: ${modality.layouts.join(', ')})`,
    );
  const ds: DatasetSpec = {
    name: `tasks.${name}`,
    path: split,
    layout,
    ...(spec.include ? { include: spec.include } : {}),
    ...(spec.exclude ? { exclude: spec.exclude } : {}),
    options: spec.options,
  };
  let set: LabeledSet;
  try {
    set = await modality.load(ds);
  } catch (e) {
    if (!(e instanceof FewshotError)) throw e;
    return fail('path', e.message);
  }
  const grid: PlannedTask[] = [];
  for (const ways of list(spec.ways)) {
    for (const shots of list(spec.shots)) {
      const shape = { ways, shots, queries: spec.queries, within: spec.within, across: spec.across };
      let sampler: EpisodeSampler;
      try {
        if (set.classes.length < ways)
          throw new DataError(`${ways}-way episodes need ${ways} classes, but ${split} has ${set.classes.length}`);
        sampler = new EpisodeSampler(set, shape);
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        const which = set.classes.length < ways || /classes for|group/.test(e.message) ? 'ways' : 'shots';
        problems.push(bench.problem([...key, which], e.message));
        continue;
      }
      const id = `${name}/${ways}way-${shots}shot`;
      const info = {
        ways,
        shots,
        queries: spec.queries,
        episodes: spec.episodes,
        seed,
        id,
        kind: 'episodes' as const,
        data: { ...data, path: split, layout },
      };
      const draw = (): Episode[] => sampler.episodes(spec.episodes, new Rng(seed).fork('eval-episodes'));
      grid.push(made(name, spec, set, draw, info, out, false));
    }
  }
  return grid;
}

type Shape = Pick<BenchTaskResult, 'ways' | 'shots' | 'queries' | 'episodes' | 'seed' | 'id' | 'kind' | 'data'>;

function made(
  name: string,
  spec: BenchTaskSpec,
  set: LabeledSet,
  episodes: readonly Episode[] | (() => Episode[]),
  shape: Shape,
  out: string,
  runs: boolean,
): PlannedTask {
  const dataFingerprint = fingerprintSet(set);
  const episodesKey = contentKey({
    dataFingerprint,
    modality: spec.modality,
    data: shape.data,
    ways: shape.ways,
    shots: shape.shots,
    queries: shape.queries,
    episodes: shape.episodes,
    seed: runs ? null : shape.seed,
    within: spec.within ?? null,
    across: spec.across ?? null,
    kind: shape.kind,
  });
  const manifest = `episodes/${shape.id.replace(/\//g, '.')}.jsonl`;
  const info: BenchTaskResult = {
    ...shape,
    task: name,
    modality: spec.modality,
    domain: name,
    ...(spec.within && !runs ? { within: spec.within } : {}),
    ...(spec.across && !runs ? { across: spec.across } : {}),
    classes: set.classes.length,
    samples: set.size,
    dataFingerprint,
    episodesKey,
    manifest,
  };
  const manifestHeader: ManifestHeader = {
    task: shape.id,
    episodesKey,
    dataFingerprint,
    ways: shape.ways,
    shots: shape.shots,
    queries: shape.queries,
    episodes: shape.episodes,
    seed: shape.seed,
  };
  const file = path.join(out, manifest);
  const saved = readManifest(file, episodesKey);
  const eps = saved ? fromManifest(set, saved, file) : typeof episodes === 'function' ? episodes() : episodes;
  return {
    info,
    spec,
    set,
    episodes: eps,
    manifestHeader,
    manifest: saved ?? toManifest(set, eps),
    manifestSaved: saved !== undefined,
  };
}
