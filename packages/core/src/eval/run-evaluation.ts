import type { Experiment } from '../experiment.js';
import { decodeSplit, loadSplits } from '../experiment.js';
import type { EpisodeScorer } from '../baseline.js';
import { EpisodeSampler } from '../samplers/episode-sampler.js';
import { Rng } from '../rng.js';
import { readLakeRuns } from './lake-runs.js';
import { evaluateEpisodes, evaluateEpisodesWith, type EpisodeResult } from './evaluate-episodes.js';
import type { ProgressSink } from '../progress.js';
import { ConfigError } from '../errors.js';
import { ttaScorer } from './tta-scorer.js';
import type { LabeledSet } from '../labeled-set.js';
import type { SampleStore } from '../data/sample-store.js';
import type { Episode } from '../samplers/episode-sampler.js';
import { distinctSamples } from './evaluate-episodes.js';
import { workerEmbedderFor } from './worker-embedder.js';
import { embeddingParts, normalizedScorer } from './normalize-embeddings.js';

/** One evaluation, as printed with --json and saved as eval.json. */
export interface EvalReport extends Omit<EpisodeResult, 'perEpisode'> {
  /** Number of query trials scored. */
  readonly trials: number;
  readonly backend: string;
  readonly model: string;
  readonly modelKind: string;
  /** `runs:<folder>` or `episodes:<split folder>`. */
  readonly data: string;
  readonly seed: number;
  /** Views averaged per sample (eval.tta.views; 1 = no test-time augmentation). */
  readonly ttaViews: number;
  /** How embeddings were normalised before scoring (eval.normalize; `none` for a baseline or a naive model). */
  readonly normalize: 'none' | 'l2';
}

export interface EvalOptions {
  /** Folder of explicit runs in Lake's format; otherwise random episodes of `data.test`. */
  readonly runs?: string;
  readonly modelName: string;
  readonly progress?: ProgressSink;
}

/**
 * Evaluate a model (or a baseline) on explicit runs or on seeded random episodes of the test split.
 * A pair model's samples (and their test-time views) are embedded on `train.workers` worker threads
 * when there are enough of them (see `workerEmbedderFor`); the figures do not depend on it.
 */
export async function runEvaluation(exp: Experiment, model: EpisodeScorer, opts: EvalOptions): Promise<EvalReport> {
  const c = exp.loaded.config;
  const withTta = (set: LabeledSet): EpisodeScorer =>
    ttaScorer(model, exp.modality, exp.preprocess, c.eval.tta, c.seed, (i) => set.samples[i]!.id);
  let result: EpisodeResult;
  let data: string;
  if (opts.runs) {
    const runs = await readLakeRuns(opts.runs);
    const decoded = await decodeSplit(exp, opts.runs, runs.set, opts.progress);
    if (decoded.skipped.length > 0)
      throw new ConfigError('explicit runs cannot skip samples; fix or remove the bad files');
    result = await evaluate(exp, withTta(decoded.set), decoded.store, runs.episodes, c.eval.batchSize);
    data = `runs:${opts.runs}`;
  } else {
    const { test } = await loadSplits(exp, ['test'], opts.progress);
    if (!test)
      throw new ConfigError(
        `${exp.loaded.file}: data.test is not set; give it, or evaluate explicit runs with --runs DIR`,
      );
    const sampler = new EpisodeSampler(test.set, c.eval);
    const episodes = sampler.episodes(c.eval.episodes, new Rng(c.seed).fork('eval-episodes'));
    result = await evaluate(exp, withTta(test.set), test.store, episodes, c.eval.batchSize);
    data = `episodes:${test.set.source}`;
  }
  const { perEpisode, ...summary } = result;
  return {
    ...summary,
    trials: perEpisode.length * result.queries * result.ways,
    backend: exp.backend.name,
    model: opts.modelName,
    modelKind: model.kind,
    data,
    seed: c.seed,
    ttaViews: c.eval.tta.views,
    normalize: embeddingParts(model) ? c.eval.normalize : 'none',
  };
}

/** `evaluateEpisodes`, with the embedding on worker threads when they pay. */
async function evaluate(
  exp: Experiment,
  scorer: EpisodeScorer,
  store: SampleStore,
  episodes: readonly Episode[],
  batchSize: number,
): Promise<EpisodeResult> {
  const startedAt = Date.now();
  // the workers embed with the scorer itself; eval.normalize acts on the embeddings when they are scored
  const scoring = normalizedScorer(scorer, exp.loaded.config.eval.normalize);
  const workers =
    episodes.length > 0 ? await workerEmbedderFor(exp, scorer, distinctSamples(episodes).used.length) : undefined;
  if (!workers) return evaluateEpisodes(scoring, store, episodes, { batchSize });
  try {
    return await evaluateEpisodesWith(scoring, workers.embed, store, episodes, { startedAt }); // seconds include starting the workers
  } finally {
    await workers.close();
  }
}
