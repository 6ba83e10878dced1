import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BackendChoice } from '../backend/select-backend.js';
import type { EpisodeScorer } from '../baseline.js';
import { configToYaml } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import { evaluateEpisodes } from '../eval/evaluate-episodes.js';
import { runEvaluation, type EvalReport } from '../eval/run-evaluation.js';
import { buildModel, loadSplits, openExperiment, type Experiment } from '../experiment.js';
import { EnsembleModel, loadModel, saveEnsembleMeta } from '../model/ensemble-model.js';
import { writeAtomic } from '../model/model-io.js';
import type { PairModelMeta } from '../model/pair-model.js';
import { formatDuration, SilentProgress, type ProgressSink } from '../progress.js';
import { Rng } from '../rng.js';
import type { DecodedSet } from '../data/sample-store.js';
import { trainPairModel, validationEpisodes, type EpochRecord, type TrainResult } from '../train/trainer.js';
import { experimentDataPaths, fetchExperimentData, type FetchDataOptions } from '../data-sets/fetch-experiment-data.js';
import { clearModelFolder, memberRuns } from './member-runs.js';
import { resolveExperiment, type ExperimentSource } from './resolve-experiment.js';

export interface TrainExperimentOptions extends FetchDataOptions {
  /** Model folder to write (created if missing). */
  readonly out: string;
  /** `--set` style overrides applied to the experiment (`train.epochs=5`, ...). */
  readonly overrides?: readonly string[];
  /** Compute backend (default: the config's `backend`); recorded in the saved config. */
  readonly backend?: BackendChoice;
  /** Evaluate the best checkpoint on `data.runs` / `data.test` afterwards and write eval.json (default true). */
  readonly evaluate?: boolean;
  /** Progress bars and messages (default: none). */
  readonly progress?: ProgressSink;
  /** Called after every epoch of every member (`member` counts from 0; always 0 for a single model). */
  readonly onEpoch?: (record: EpochRecord, member: number) => void;
}

/** One member of a trained ensemble. */
export interface MemberSummary {
  /** Folder inside the ensemble folder (`member-1`, ...). */
  readonly folder: string;
  readonly bestEpoch: number;
  readonly bestValAccuracy: number | null;
  readonly stoppedBecause: TrainResult['stoppedBecause'];
  readonly trainSeconds: number;
}

/** What `trainExperiment` did (`fewshot train --json` prints it). */
export interface TrainSummary {
  /** The model folder (absolute). */
  readonly model: string;
  readonly backend: string;
  /** Ensembles only: each member's training. */
  readonly members?: readonly MemberSummary[];
  /** Ensembles with a validation split: each member's accuracy on the ensemble's validation episodes. */
  readonly memberValAccuracy?: readonly number[];
  /** Epoch of the best checkpoint (from 1; 0 when saved as built); null for an ensemble. */
  readonly bestEpoch: number | null;
  /** Validation accuracy of the best checkpoint (of the whole ensemble for an ensemble); null without validation. */
  readonly bestValAccuracy: number | null;
  readonly stoppedBecause: TrainResult['stoppedBecause'] | 'not-trained';
  readonly trainSeconds: number;
  /** The final evaluation (also written to eval.json), when one was run. */
  readonly eval?: EvalReport;
}

type Outcome = Pick<TrainResult, 'bestEpoch' | 'bestValAccuracy' | 'seconds'> & { stoppedBecause: TrainSummary['stoppedBecause'] };

/**
 * Train the model an experiment describes into `options.out`: the best checkpoint, the resolved
 * config.yaml and history.json; with `model.ensemble: N`, N members (an older model in the folder is
 * removed first) and the ensemble's validation accuracy; with `train.epochs: 0`, the model saved as
 * built. Then, unless `evaluate` is false, the evaluation on `data.runs` / `data.test` (eval.json).
 * With `fetch`, the registry data sets among the missing folders it reads are fetched first.
 */
export async function trainExperiment(experiment: ExperimentSource, options: TrainExperimentOptions): Promise<TrainSummary> {
  const progress = options.progress ?? new SilentProgress();
  const loaded = await resolveExperiment(experiment, options.overrides, options.backend);
  const exp = await openExperiment(loaded);
  const c = loaded.config;
  progress.log(`fewshot train '${c.name}': ${c.model.type} ${c.model.type === 'siamese' ? `${c.model.encoder ?? exp.modality.defaultEncoder} + ${c.model.head}` : ''} on the ${exp.backend.name} backend`);
  const evaluates = options.evaluate !== false && Boolean(c.data.runs || c.data.test);
  const reads = experimentDataPaths(loaded, [...(c.train.epochs === 0 ? [] : ['train', 'validation'] as const), ...(evaluates && !c.data.runs ? ['test'] as const : [])], { fromConfig: evaluates });
  await fetchExperimentData(reads, options, progress);
  const outDir = path.resolve(options.out);
  const head = { model: outDir, backend: exp.backend.name };
  let outcome: Outcome;
  let ensemble: Pick<TrainSummary, 'members' | 'memberValAccuracy'> = {};
  if (c.train.epochs === 0) outcome = await saveAsBuilt(exp, outDir, progress);
  else {
    const splits = await loadSplits(exp, ['train', 'validation'], progress);
    if (!splits.train) throw new ConfigError(`${loaded.file}: data.train is required to train (or set train.epochs: 0 to save the model as built)`);
    progress.log(`train: ${splits.train.set.classes.length} classes, ${splits.train.set.size} samples` + (splits.validation ? `; validation: ${splits.validation.set.classes.length} classes, ${splits.validation.set.size} samples` : '; no validation split'));
    const trained = await trainMembers(exp, outDir, splits.train, splits.validation, progress, options.onEpoch);
    outcome = trained.outcome;
    ensemble = trained.ensemble;
    const members = c.model.ensemble;
    progress.log(`trained in ${formatDuration(outcome.seconds)} (${outcome.stoppedBecause}); ` + (members > 1 ? `ensemble of ${members}` : `best epoch ${outcome.bestEpoch}`) +
      (outcome.bestValAccuracy !== null ? `, validation accuracy ${percent(outcome.bestValAccuracy)}` : '') + `; saved to ${outDir}`);
  }
  const summary: TrainSummary = {
    ...head,
    ...ensemble,
    bestEpoch: c.model.ensemble > 1 ? null : outcome.bestEpoch,
    bestValAccuracy: outcome.bestValAccuracy,
    stoppedBecause: outcome.stoppedBecause,
    trainSeconds: outcome.seconds,
  };
  if (!evaluates) return summary;
  const best = await loadModel(outDir);
  let report: EvalReport;
  try {
    const runs = c.data.runs ? path.resolve(loaded.dataRoot, c.data.runs) : undefined;
    report = await runEvaluation(exp, best, { ...(runs ? { runs } : {}), modelName: outDir, progress });
  } finally {
    best.dispose();
  }
  await writeAtomic(path.join(outDir, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
  return { ...summary, eval: report };
}

/** `train.epochs: 0`: a model made of trained parts (e.g. a video encoder around a trained image model), saved as built. */
async function saveAsBuilt(exp: Experiment, outDir: string, progress: ProgressSink): Promise<Outcome> {
  const loaded = exp.loaded;
  const members = loaded.config.model.ensemble;
  if (members > 1) throw new ConfigError(`${loaded.file}: model.ensemble is ${members}, but train.epochs is 0: an ensemble's members must be trained (set model.ensemble: 1 to save a model as built)`);
  const model = await buildModel(exp);
  try {
    await model.save(outDir, { 'config.yaml': configToYaml(loaded) });
  } finally {
    model.dispose();
  }
  progress.log(`train.epochs is 0: saved the model as built, without training, to ${outDir}`);
  return { bestEpoch: 0, bestValAccuracy: null, stoppedBecause: 'not-trained', seconds: 0 };
}

/** Train the model, or each member of an ensemble one after another, then the ensemble's manifest and validation score. */
async function trainMembers(
  exp: Experiment,
  outDir: string,
  train: DecodedSet,
  validation: DecodedSet | undefined,
  progress: ProgressSink,
  onEpoch: TrainExperimentOptions['onEpoch'],
): Promise<{ outcome: Outcome; ensemble: Pick<TrainSummary, 'members' | 'memberValAccuracy'> }> {
  const loaded = exp.loaded;
  const c = loaded.config;
  const members = c.model.ensemble;
  const runs = memberRuns(c);
  if (members > 1) await clearModelFolder(outDir, progress);
  const results: TrainResult[] = [];
  const metas: PairModelMeta[] = [];
  for (const [k, run] of runs.entries()) {
    if (members > 1) progress.log(`ensemble member ${k + 1}/${members}: seed ${run.config.seed}${run.config.train.timeLimitMinutes ? `, ${formatDuration(run.config.train.timeLimitMinutes * 60)}` : ''}, into ${path.join(outDir, run.dir)}`);
    const model = await buildModel(exp, run.config.seed);
    try {
      results.push(
        await trainPairModel({
          model,
          config: run.config,
          modality: exp.modality,
          preprocess: exp.preprocess,
          train,
          ...(validation ? { validation } : {}),
          outDir: path.join(outDir, run.dir),
          rng: new Rng(run.config.seed),
          progress,
          extraFiles: { 'config.yaml': configToYaml({ ...loaded, config: run.config }) },
          ...(onEpoch ? { onEpoch: (record: EpochRecord) => onEpoch(record, k) } : {}),
          // workers build the model themselves: they load the plugins that may define its layers
          modules: exp.plugins.plugins.map((p) => pathToFileURL(p.resolved).href),
          objective: exp.plugins.registry.objective(run.config.train.objective),
        }),
      );
      metas.push(model.meta);
    } finally {
      model.dispose();
    }
  }
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  if (members === 1) return { outcome: results[0]!, ensemble: {} };
  await saveEnsembleMeta(outDir, EnsembleModel.metaOf(metas, runs.map((r) => r.dir)), { 'config.yaml': configToYaml(loaded) });
  const memberSummaries = results.map((r, k) => ({ folder: runs[k]!.dir, bestEpoch: r.bestEpoch, bestValAccuracy: r.bestValAccuracy, stoppedBecause: r.stoppedBecause, trainSeconds: r.seconds }));
  let valAccuracy: number | null = null;
  let memberValAccuracy: number[] | undefined;
  if (validation) {
    // member 1's validation episodes (the config's seed): the ensemble against a single model
    const episodes = validationEpisodes(validation, c.train, new Rng(c.seed));
    const ensemble = (await loadModel(outDir)) as EnsembleModel;
    try {
      const on = (m: EpisodeScorer): number => evaluateEpisodes(m, validation.store, episodes, { batchSize: c.eval.batchSize }).accuracy;
      valAccuracy = on(ensemble);
      memberValAccuracy = ensemble.members.map(on);
      progress.log(`ensemble of ${members}: validation ${c.train.validation.ways}-way ${c.train.validation.shots}-shot accuracy ${percent(valAccuracy)}; its members on the same episodes: ${memberValAccuracy.map((a) => percent(a)).join(', ')}`);
    } finally {
      ensemble.dispose();
    }
  }
  return {
    outcome: { bestEpoch: results[0]!.bestEpoch, bestValAccuracy: valAccuracy, stoppedBecause: results.at(-1)!.stoppedBecause, seconds },
    ensemble: { members: memberSummaries, ...(memberValAccuracy ? { memberValAccuracy } : {}) },
  };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
