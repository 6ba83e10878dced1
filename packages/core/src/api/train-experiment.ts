import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { pathToFileURL } from 'node:url';
import type { BackendChoice } from '../backend/select-backend.js';
import type { EpisodeScorer } from '../baseline.js';
import { configToYaml } from '../config/load-config.js';
import type { ExperimentConfig } from '../config/experiment-schema.js';
import type { PairModelMeta } from '../model/pair-model.js';
import { ConfigError } from '../errors.js';
import { evaluateEpisodes } from '../eval/evaluate-episodes.js';
import { runEvaluation, type EvalReport } from '../eval/run-evaluation.js';
import { buildModel, loadSplits, openExperiment, type Experiment } from '../experiment.js';
import { EnsembleModel, loadModel, saveEnsembleMeta } from '../model/ensemble-model.js';
import { writeAtomic } from '../model/model-io.js';
import { recoverDir, writeDirAtomic } from '../io/atomic-write.js';
import { checkOutputDir } from '../io/check-output-dir.js';
import { MODEL_META_FILE, PairModel } from '../model/pair-model.js';
import {
  CHECKPOINT_DIR,
  checkResumable,
  configChanges,
  loadCheckpoint,
  removeCheckpoint,
  TrainingInterrupted,
  type TrainCheckpoint,
} from '../train/checkpoint.js';
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
  /**
   * Continue an interrupted run in `out` from its checkpoint (`out/checkpoint`, or each ensemble
   * member's): members that finished are kept, the rest continue where they stopped, or start when
   * they have no checkpoint. The experiment and overrides must give the same config (else a
   * ConfigError names what changed). Default false: train afresh.
   */
  readonly resume?: boolean;
  /**
   * Stop early (the CLI aborts it on SIGINT / SIGTERM): the current step is finished, a checkpoint
   * written, and a TrainingInterrupted error thrown whose hints say how to resume.
   */
  readonly signal?: AbortSignal;
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

type Outcome = Pick<TrainResult, 'bestEpoch' | 'bestValAccuracy' | 'seconds'> & {
  stoppedBecause: TrainSummary['stoppedBecause'];
};

/**
 * Train the model an experiment describes into `options.out`: the best checkpoint, the resolved
 * config.yaml and history.json; with `model.ensemble: N`, N members (an older model in the folder is
 * removed first) and the ensemble's validation accuracy; with `train.epochs: 0`, the model saved as
 * built. Then, unless `evaluate` is false, the evaluation on `data.runs` / `data.test` (eval.json).
 * With `fetch`, the registry data sets among the missing folders it reads are fetched first.
 */
export async function trainExperiment(
  experiment: ExperimentSource,
  options: TrainExperimentOptions,
): Promise<TrainSummary> {
  const progress = options.progress ?? new SilentProgress();
  const outDir = path.resolve(options.out);
  await checkOutputDir(outDir, 'output folder');
  if (
    path.relative(outDir, process.cwd()).split(path.sep)[0] !== '..' &&
    !path.isAbsolute(path.relative(outDir, process.cwd()))
  ) {
    throw new ConfigError(
      `output folder ${outDir} holds the current folder: give the model a folder of its own (e.g. models/my-model)`,
    );
  }
  for (const line of await recoverDir(outDir)) progress.log(`an earlier run was stopped while saving: ${line}`);
  const loaded = await resolveExperiment(experiment, options.overrides, options.backend);
  const exp = await openExperiment(loaded);
  const c = loaded.config;
  progress.log(
    `fewshot train '${c.name}': ${c.model.type} ${c.model.type === 'siamese' ? `${c.model.encoder ?? exp.modality.defaultEncoder} + ${c.model.head}` : ''} on the ${exp.backend.name} backend`,
  );
  const evaluates = options.evaluate !== false && Boolean(c.data.runs || c.data.test);
  const reads = experimentDataPaths(
    loaded,
    [
      ...(c.train.epochs === 0 ? [] : (['train', 'validation'] as const)),
      ...(evaluates && !c.data.runs ? (['test'] as const) : []),
    ],
    { fromConfig: evaluates },
  );
  const checkpoints =
    options.resume && c.train.epochs > 0 ? await resumableRuns(c, outDir, exp.backend.name, progress) : undefined;
  await fetchExperimentData(reads, options, progress);
  const head = { model: outDir, backend: exp.backend.name };
  let outcome: Outcome;
  let ensemble: Pick<TrainSummary, 'members' | 'memberValAccuracy'> = {};
  if (c.train.epochs === 0) outcome = await saveAsBuilt(exp, outDir, progress);
  else {
    const splits = await loadSplits(exp, ['train', 'validation'], progress);
    if (!splits.train)
      throw new ConfigError(
        `${loaded.file}: data.train is required to train (or set train.epochs: 0 to save the model as built)`,
      );
    if (options.signal?.aborted)
      throw withResumeHints(
        new TrainingInterrupted(
          'stopped before training started (while reading the data); nothing to save',
          path.join(outDir, CHECKPOINT_DIR),
        ),
        experiment,
        options,
        outDir,
      );
    progress.log(
      `train: ${splits.train.set.classes.length} classes, ${splits.train.set.size} samples` +
        (splits.validation
          ? `; validation: ${splits.validation.set.classes.length} classes, ${splits.validation.set.size} samples`
          : '; no validation split'),
    );
    let trained: Awaited<ReturnType<typeof trainMembers>>;
    try {
      trained = await trainMembers(
        exp,
        outDir,
        splits.train,
        splits.validation,
        progress,
        options.onEpoch,
        checkpoints,
        options.signal,
      );
    } catch (err) {
      if (err instanceof TrainingInterrupted) throw withResumeHints(err, experiment, options, outDir);
      throw err;
    }
    outcome = trained.outcome;
    ensemble = trained.ensemble;
    const members = c.model.ensemble;
    progress.log(
      `trained in ${formatDuration(outcome.seconds)} (${outcome.stoppedBecause}); ` +
        (members > 1 ? `ensemble of ${members}` : `best epoch ${outcome.bestEpoch}`) +
        (outcome.bestValAccuracy !== null ? `, validation accuracy ${percent(outcome.bestValAccuracy)}` : '') +
        `; saved to ${outDir}`,
    );
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
  if (options.signal?.aborted) {
    throw new TrainingInterrupted(
      `stopped before the final evaluation; training finished and the model is saved in ${outDir}`,
      path.join(outDir, CHECKPOINT_DIR),
      {
        hints: [`evaluate it with: fewshot eval --model ${outDir}`],
      },
    );
  }
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
  if (members > 1)
    throw new ConfigError(
      `${loaded.file}: model.ensemble is ${members}, but train.epochs is 0: an ensemble's members must be trained (set model.ensemble: 1 to save a model as built)`,
    );
  const model = await buildModel(exp);
  try {
    await writeDirAtomic(outDir, (tmp) => model.save(tmp, { 'config.yaml': configToYaml(loaded) }), {
      carryOver: true,
      last: [MODEL_META_FILE],
    });
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
  /** With `resume`: each member's finished run or checkpoint (undefined: train afresh). */
  resume?: readonly ResumePoint[],
  signal?: AbortSignal,
): Promise<{ outcome: Outcome; ensemble: Pick<TrainSummary, 'members' | 'memberValAccuracy'> }> {
  const loaded = exp.loaded;
  const c = loaded.config;
  const members = c.model.ensemble;
  const runs = memberRuns(c);
  if (members > 1 && !resume) await clearModelFolder(outDir, progress);
  const results: TrainResult[] = [];
  const metas: PairModelMeta[] = [];
  for (const [k, run] of runs.entries()) {
    const point = resume?.[k];
    if (point?.finished) {
      // a member (or model) whose run completed: kept as it is
      results.push(point.finished);
      metas.push(await PairModel.readMeta(path.join(outDir, run.dir)));
      continue;
    }
    if (members > 1)
      progress.log(
        `ensemble member ${k + 1}/${members}: seed ${run.config.seed}${run.config.train.timeLimitMinutes ? `, ${formatDuration(run.config.train.timeLimitMinutes * 60)}` : ''}, into ${path.join(outDir, run.dir)}`,
      );
    const model = await buildModel(exp, run.config.seed, k);
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
          ...(point?.checkpoint ? { resumeFrom: point.checkpoint } : {}),
          ...(signal ? { signal } : {}),
        }),
      );
      metas.push(model.meta);
    } finally {
      model.dispose();
    }
  }
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  if (members === 1) return { outcome: results[0]!, ensemble: {} };
  await saveEnsembleMeta(
    outDir,
    EnsembleModel.metaOf(
      metas,
      runs.map((r) => r.dir),
    ),
    { 'config.yaml': configToYaml(loaded) },
  );
  const memberSummaries = results.map((r, k) => ({
    folder: runs[k]!.dir,
    bestEpoch: r.bestEpoch,
    bestValAccuracy: r.bestValAccuracy,
    stoppedBecause: r.stoppedBecause,
    trainSeconds: r.seconds,
  }));
  let valAccuracy: number | null = null;
  let memberValAccuracy: number[] | undefined;
  if (validation) {
    // member 1's validation episodes (the config's seed): the ensemble against a single model
    const episodes = validationEpisodes(validation, c.train, new Rng(c.seed));
    const ensemble = (await loadModel(outDir)) as EnsembleModel;
    try {
      const on = (m: EpisodeScorer): number =>
        evaluateEpisodes(m, validation.store, episodes, { batchSize: c.eval.batchSize }).accuracy;
      valAccuracy = on(ensemble);
      memberValAccuracy = ensemble.members.map(on);
      progress.log(
        `ensemble of ${members}: validation ${c.train.validation.ways}-way ${c.train.validation.shots}-shot accuracy ${percent(valAccuracy)}; its members on the same episodes: ${memberValAccuracy.map((a) => percent(a)).join(', ')}`,
      );
    } finally {
      ensemble.dispose();
    }
  }
  return {
    outcome: {
      bestEpoch: results[0]!.bestEpoch,
      bestValAccuracy: valAccuracy,
      stoppedBecause: results.at(-1)!.stoppedBecause,
      seconds,
    },
    ensemble: { members: memberSummaries, ...(memberValAccuracy ? { memberValAccuracy } : {}) },
  };
}

/** Where one run (a model, or an ensemble member) of a resumed training stands. */
interface ResumePoint {
  /** The run completed (its history.json says why it stopped). */
  readonly finished?: TrainResult;
  /** The run's checkpoint, checked against its config. */
  readonly checkpoint?: TrainCheckpoint;
}

/**
 * `resume`: for each run of the config (one, or each ensemble member) in `outDir`, its completed
 * result or its checkpoint (checked against the config before any data is read), or neither.
 */
async function resumableRuns(
  c: ExperimentConfig,
  outDir: string,
  backend: string,
  progress: ProgressSink,
): Promise<ResumePoint[]> {
  const points: ResumePoint[] = [];
  for (const run of memberRuns(c)) {
    const dir = path.join(outDir, run.dir);
    const name = c.model.ensemble > 1 ? `ensemble member ${run.dir}` : 'the model';
    const finished = await finishedRun(dir);
    if (finished) {
      const saved = await readFile(path.join(dir, 'config.yaml'), 'utf8').then(
        (t) => parseYaml(t) as unknown,
        () => undefined,
      );
      const changes = saved === undefined ? [] : configChanges(saved, JSON.parse(JSON.stringify(run.config)));
      if (changes.length > 0) {
        throw new ConfigError(
          `cannot resume: ${name} in ${dir} finished training with a different config (its config.yaml -> now)`,
          {
            hints: [...changes.slice(0, 12), 'train without --resume to replace it'],
          },
        );
      }
      progress.log(`resume: ${name} in ${dir} finished training (${finished.stoppedBecause}); kept`);
      await removeCheckpoint(path.join(dir, CHECKPOINT_DIR));
      points.push({ finished });
      continue;
    }
    const ckptDir = path.join(dir, CHECKPOINT_DIR);
    const checkpoint = await loadCheckpoint(ckptDir);
    if (!checkpoint) {
      progress.log(`resume: no checkpoint in ${ckptDir}: ${name} trains from the start`);
      points.push({});
      continue;
    }
    checkResumable(checkpoint, ckptDir, run.config, backend, checkpoint.workers);
    points.push({ checkpoint });
  }
  return points;
}

/** The result of a completed run in `dir` (from its history.json), or undefined. */
async function finishedRun(dir: string): Promise<TrainResult | undefined> {
  let h: {
    history?: EpochRecord[];
    bestEpoch?: number;
    stoppedBecause?: TrainResult['stoppedBecause'];
    seconds?: number;
  };
  try {
    h = JSON.parse(await readFile(path.join(dir, 'history.json'), 'utf8')) as typeof h;
  } catch {
    return undefined;
  }
  if (!h.stoppedBecause || !Array.isArray(h.history) || typeof h.bestEpoch !== 'number') return undefined;
  return {
    history: h.history,
    bestEpoch: h.bestEpoch,
    bestValAccuracy: h.history[h.bestEpoch - 1]?.valAccuracy ?? null,
    stoppedBecause: h.stoppedBecause,
    seconds: h.seconds ?? 0,
  };
}

/** The interruption, with how to continue it (the CLI command for a config file, and the API option). */
function withResumeHints(
  err: TrainingInterrupted,
  experiment: ExperimentSource,
  options: TrainExperimentOptions,
  outDir: string,
): TrainingInterrupted {
  const quote = (x: string): string => (/^[\w./=:@+-]+$/.test(x) ? x : `'${x.replace(/'/g, `'\\''`)}'`);
  const sets = (options.overrides ?? []).map((o) => ` --set ${quote(o)}`).join('');
  const cli =
    typeof experiment === 'string'
      ? [
          `resume with: fewshot train ${quote(experiment)} --out ${quote(outDir)}${sets}${options.backend ? ` --backend ${options.backend}` : ''} --resume`,
        ]
      : [];
  return new TrainingInterrupted(err.message, err.checkpoint, {
    hints: [...cli, 'or from code: trainExperiment(experiment, { out, ..., resume: true })'],
  });
}

function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
