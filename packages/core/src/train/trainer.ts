import { tf } from '../tfjs.js';
import path from 'node:path';
import type { ExperimentConfig } from '../config/experiment-schema.js';
import type { DecodedSet } from '../data/sample-store.js';
import { augmentSettings, type Modality, type Preprocess } from '../modality.js';
import { MODEL_META_FILE, type PairModel } from '../model/pair-model.js';
import { writeAtomic } from '../model/model-io.js';
import { writeDirAtomic } from '../io/atomic-write.js';
import {
  CHECKPOINT_DIR,
  checkResumable,
  removeCheckpoint,
  saveCheckpoint,
  TrainingInterrupted,
  type PartialEpoch,
  type TrainCheckpoint,
} from './checkpoint.js';
import { readOptimizerState, writeOptimizerState } from './optimizer-state.js';
import { readVariables, statVariables, writeVariables } from './parallel/model-snapshot.js';
import { checkObjectiveHead, type Objective, type ObjectiveSampler, type StepSamples } from './objective.js';
import { coreObjective, type LossSpec } from './objectives.js';
import { GradientWorkerPool } from './parallel/gradient-worker-pool.js';
import { resolveWorkerCount } from './parallel/worker-count.js';
import { EpisodeSampler, type Episode } from '../samplers/episode-sampler.js';
import { evaluateEpisodes } from '../eval/evaluate-episodes.js';
import type { Rng } from '../rng.js';
import { formatDuration, type ProgressSink } from '../progress.js';
import { learningRateAt } from './learning-rate.js';
import { makeOptimizer, setLearningRate } from './make-optimizer.js';

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly valAccuracy: number | null;
  readonly valCi95: number | null;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly best: boolean;
}

export interface TrainResult {
  readonly history: readonly EpochRecord[];
  readonly bestEpoch: number;
  readonly bestValAccuracy: number | null;
  readonly stoppedBecause: 'epochs' | 'early-stopping' | 'time-limit';
  readonly seconds: number;
}

export interface TrainOptions {
  readonly model: PairModel;
  readonly config: ExperimentConfig;
  readonly modality: Modality;
  readonly preprocess: Preprocess;
  readonly train: DecodedSet;
  readonly validation?: DecodedSet;
  /** Model folder: the best checkpoint, history.json and the extra files are written here. */
  readonly outDir: string;
  readonly rng: Rng;
  readonly progress: ProgressSink;
  /** Files written beside every checkpoint (resolved config, ...). */
  readonly extraFiles?: Record<string, string>;
  /** Called after every epoch (tests, reports). */
  readonly onEpoch?: (record: EpochRecord) => void;
  /**
   * Module URLs the data-parallel workers import before building the model: the plugin files (custom
   * layers; a plugin's objective, looked up by id in the worker's own container).
   */
  readonly modules?: readonly string[];
  /**
   * The objective named by `config.train.objective` (`registry.objective(id)`); default: core's
   * objective of that id (a plugin's objective must be passed).
   */
  readonly objective?: Objective;
  /**
   * Continue the run this checkpoint (`loadCheckpoint(<outDir>/checkpoint)`) was written by: the
   * config, backend and worker count must be the same (else a ConfigError says what changed).
   */
  readonly resumeFrom?: TrainCheckpoint;
  /**
   * Stop early: once aborted, the current step is finished, a checkpoint written to
   * `<outDir>/checkpoint`, and a TrainingInterrupted error thrown.
   */
  readonly signal?: AbortSignal;
}

/**
 * Train the encoder (and head) with the configured objective (pairs from `makePairs` with the head's
 * loss, triplets, prototype episodes, or a plugin's), one encoder pass per step, the configured
 * optimizer and schedule; after each epoch the one-shot accuracy on fixed validation episodes decides the best
 * checkpoint and early stopping.
 *
 * After every epoch but the last a checkpoint (weights, optimizer state, random-stream positions,
 * history, early-stopping state) is written to `<outDir>/checkpoint`; `resumeFrom` continues from it,
 * giving the same weights and metrics bit for bit as a run that was never stopped (same backend). The
 * checkpoint is removed when the run ends, and history.json then records why it stopped.
 */
export async function trainPairModel(opts: TrainOptions): Promise<TrainResult> {
  const { model, config, progress } = opts;
  const tc = config.train;
  if (tc.epochs < 1)
    throw new RangeError('trainPairModel: train.epochs is 0; save the built model instead (what `fewshot train` does)');
  const t0 = Date.now();
  const prior = opts.resumeFrom;
  const elapsedBefore = prior?.elapsedSeconds ?? 0;
  const checkpointDir = path.join(opts.outDir, CHECKPOINT_DIR);
  const optimizer = makeOptimizer(tc);
  const augmentOptions = augmentSettings(opts.modality, tc.augment, 'train.augment');
  const train = opts.modality.augmentClasses?.(opts.train, opts.preprocess, augmentOptions) ?? opts.train;
  if (train !== opts.train) {
    progress.log(
      `class augmentation: ${opts.train.set.classes.length} -> ${train.set.classes.length} training classes (${opts.train.set.size} -> ${train.set.size} samples)`,
    );
  }
  const objective = opts.objective ?? coreObjective(tc.objective);
  if (objective.id !== tc.objective)
    throw new RangeError(
      `trainPairModel: the objective '${objective.id}' was passed, but train.objective is '${tc.objective}'`,
    );
  checkObjectiveHead(objective, model.meta.head);
  const sampler = objective.sampler(train.set, tc, opts.rng);
  const augRng = opts.rng.fork('augment');
  const augment =
    opts.modality.augment && Object.keys(tc.augment).length > 0 ? opts.modality.augment.bind(opts.modality) : undefined;
  const transform = augment ? (x: Float32Array) => augment(x, opts.preprocess, augmentOptions, augRng) : undefined;

  const valEpisodes = opts.validation ? validationEpisodes(opts.validation, tc, opts.rng) : [];
  const vars = model.trainableVariables;
  const workers = resolveWorkerCount(
    tc.workers,
    tf.getBackend(),
    objective.dataParallel === 'whole' ? Infinity : tc.batchSize,
  );
  const loss: LossSpec = { objective: objective.id, train: tc };
  let drawnSteps = 0;
  /** The samples of the next step: one share per worker (data-parallel), or the whole step. */
  const drawStep = (): StepSamples[] => {
    drawnSteps++;
    return workers > 1 ? splitStep(objective, sampler, workers, tc.batchSize) : [sampler.next()];
  };
  if (prior) {
    checkResumable(prior, checkpointDir, config, tf.getBackend(), workers);
    // the sampler's stream is drawn again up to where it was (cheap: indices only); the rest is restored
    while (drawnSteps < prior.drawnSteps) drawStep();
    augRng.setState(prior.augmentRng);
    writeVariables(vars, prior.trainable);
    writeVariables(statVariables(model), prior.stats[0]!);
    if (workers === 1) await writeOptimizerState(optimizer, prior.optimizer);
    progress.log(
      `resuming from ${checkpointDir}: ${prior.epoch} of ${tc.epochs} epochs done` +
        (prior.partial ? `, and ${prior.partial.steps} of ${tc.stepsPerEpoch} steps of epoch ${prior.epoch + 1}` : ''),
    );
  } else {
    await removeCheckpoint(checkpointDir); // an older run's: never resumed into this one
  }
  const pool =
    workers > 1
      ? await GradientWorkerPool.create(model, { workers, optimizer: tc, loss, modules: opts.modules ?? [] })
      : undefined;
  if (pool) progress.log(`data-parallel training on ${workers} worker threads (${tf.getBackend()} backend)`);
  try {
    if (pool && prior) await pool.restoreState({ stats: prior.stats, optimizer: prior.optimizer });
    return await trainLoop();
  } finally {
    await pool?.close();
    optimizer.dispose();
  }

  async function trainLoop(): Promise<TrainResult> {
    const history: EpochRecord[] = [...(prior?.history ?? [])];
    let best = prior?.best ?? -Infinity;
    let bestEpoch = prior?.bestEpoch ?? -1;
    let sinceBest = prior?.sinceBest ?? 0;
    let stoppedBecause: TrainResult['stoppedBecause'] = 'epochs';
    const deadline = tc.timeLimitMinutes ? t0 + tc.timeLimitMinutes * 60_000 - elapsedBefore * 1000 : Infinity;
    const startEpoch = prior?.epoch ?? 0;

    /** The run's state after `epochsDone` epochs (and `partial`, the steps done of the next). */
    const capture = async (
      epochsDone: number,
      partial: PartialEpoch | null,
      reason: TrainCheckpoint['reason'],
    ): Promise<TrainCheckpoint> => {
      const state = pool
        ? await pool.readState()
        : {
            trainable: readVariables(vars),
            stats: [readVariables(statVariables(model))],
            optimizer: await readOptimizerState(optimizer),
          };
      return {
        config,
        backend: tf.getBackend(),
        workers,
        epoch: epochsDone,
        partial,
        drawnSteps,
        history: history.slice(),
        best: Number.isFinite(best) ? best : null,
        bestEpoch,
        sinceBest,
        elapsedSeconds: elapsedBefore + (Date.now() - t0) / 1000,
        augmentRng: augRng.getState(),
        ...state,
        reason,
      };
    };

    for (let epoch = startEpoch; epoch < tc.epochs; epoch++) {
      const lr = learningRateAt(tc, epoch);
      setLearningRate(optimizer, lr);
      const partial = epoch === startEpoch ? (prior?.partial ?? null) : null;
      const e0 = Date.now() - (partial?.seconds ?? 0) * 1000;
      const task = progress.start(`epoch ${epoch + 1}/${tc.epochs}`, tc.stepsPerEpoch, 'steps');
      let lossSum = partial?.lossSum ?? 0;
      let steps = partial?.steps ?? 0;
      let imagesSeen = partial?.imagesSeen ?? 0;
      if (steps > 0) task.tick(steps);
      let interrupted = false;
      const recordLoss = (loss: number): void => {
        if (!Number.isFinite(loss))
          throw new Error(
            `training diverged at epoch ${epoch + 1}, step ${steps + 1} (loss ${loss}); lower train.learningRate`,
          );
        lossSum += loss;
        steps++;
        const secs = (Date.now() - e0) / 1000;
        task.tick(1, `loss ${(lossSum / steps).toFixed(4)} ${(imagesSeen / Math.max(secs, 1e-3)).toFixed(0)} img/s`);
      };
      pool?.setLearningRate(lr);
      let pending: Promise<number> | undefined;
      for (let step = steps; step < tc.stepsPerEpoch; step++) {
        if (pool) {
          // the next batch is built (sampling, augmentation) while the workers compute this one
          const next = pool.stepShards(
            drawStep().map((s) => {
              imagesSeen += s.indices.length;
              return { rows: s.indices.length, x: train.store.batchArray(s.indices, transform), y: s.labels };
            }),
          );
          if (pending) recordLoss(await pending);
          pending = next;
        } else {
          const samples = drawStep()[0]!;
          const x = train.store.batch(samples.indices, transform);
          const y = tf.tensor1d(samples.labels, 'float32');
          imagesSeen += samples.indices.length;
          const cost = optimizer.minimize(() => objective.loss(model, x, y, tc), true, vars);
          const loss = cost ? (await cost.data())[0]! : NaN;
          tf.dispose([x, y, cost as tf.Tensor]);
          recordLoss(loss);
        }
        if (Date.now() > deadline) break;
        if (opts.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
      if (pending) recordLoss(await pending);
      if (interrupted) {
        task.done(`loss ${(lossSum / Math.max(steps, 1)).toFixed(4)} (interrupted)`);
        await saveCheckpoint(
          checkpointDir,
          await capture(epoch, { steps, lossSum, imagesSeen, seconds: (Date.now() - e0) / 1000 }, 'interrupted'),
        );
        throw new TrainingInterrupted(
          `training stopped after step ${steps} of ${tc.stepsPerEpoch} of epoch ${epoch + 1}/${tc.epochs}; checkpoint saved to ${checkpointDir}`,
          checkpointDir,
        );
      }
      if (pool) await pool.syncInto(model); // weights and averaged batch-norm statistics, before validation and saving
      const trainSecs = (Date.now() - e0) / 1000;
      task.done(`loss ${(lossSum / steps).toFixed(4)}`);

      let valAccuracy: number | null = null;
      let valCi95: number | null = null;
      if (opts.validation && valEpisodes.length > 0) {
        const r = evaluateEpisodes(model, opts.validation.store, valEpisodes, { batchSize: config.eval.batchSize });
        valAccuracy = r.accuracy;
        valCi95 = r.ci95;
      }
      const score = valAccuracy ?? -(lossSum / steps);
      const improved = score > best + (valAccuracy === null ? 0 : tc.earlyStopping.minDelta);
      if (improved) {
        best = score;
        bestEpoch = epoch + 1;
        sinceBest = 0;
      } else sinceBest++;
      const record: EpochRecord = {
        epoch: epoch + 1,
        loss: lossSum / steps,
        learningRate: lr,
        valAccuracy,
        valCi95,
        seconds: (Date.now() - e0) / 1000,
        imagesPerSecond: imagesSeen / Math.max(trainSecs, 1e-3),
        best: improved,
      };
      history.push(record);
      // the folder is replaced as a unit (the history, checkpoint and other files in it are kept)
      if (improved)
        await writeDirAtomic(opts.outDir, (tmp) => model.save(tmp, opts.extraFiles ?? {}), {
          carryOver: true,
          last: [MODEL_META_FILE],
        });
      await writeAtomic(path.join(opts.outDir, 'history.json'), JSON.stringify({ history, bestEpoch }, null, 2) + '\n');
      progress.log(
        `epoch ${record.epoch}: loss ${record.loss.toFixed(4)}` +
          (valAccuracy !== null
            ? `, validation ${tc.validation.ways}-way ${tc.validation.shots}-shot accuracy ${(valAccuracy * 100).toFixed(1)}% ±${((valCi95 ?? 0) * 100).toFixed(1)}`
            : '') +
          `, lr ${lr.toExponential(2)}, ${record.imagesPerSecond.toFixed(0)} img/s, ${formatDuration(record.seconds)}${improved ? ' (best, saved)' : ''}`,
      );
      opts.onEpoch?.(record);
      if (Date.now() > deadline) {
        stoppedBecause = 'time-limit';
        break;
      }
      if (tc.earlyStopping.patience > 0 && sinceBest >= tc.earlyStopping.patience) {
        stoppedBecause = 'early-stopping';
        break;
      }
      if (epoch + 1 < tc.epochs) await saveCheckpoint(checkpointDir, await capture(epoch + 1, null, 'epoch'));
    }
    const bestRecord = history[bestEpoch - 1];
    const seconds = elapsedBefore + (Date.now() - t0) / 1000;
    if (stoppedBecause === 'time-limit')
      progress.log(timeLimitWarning(tc.timeLimitMinutes ?? 0, history.length, tc.epochs, tc.stepsPerEpoch));
    // the run is complete: history.json says so (what a resumed ensemble reads), and the checkpoint goes
    await writeAtomic(
      path.join(opts.outDir, 'history.json'),
      JSON.stringify({ history, bestEpoch, stoppedBecause, seconds }, null, 2) + '\n',
    );
    await removeCheckpoint(checkpointDir);
    return {
      history,
      bestEpoch,
      bestValAccuracy: bestRecord?.valAccuracy ?? null,
      stoppedBecause,
      seconds,
    };
  }
}

/** The fixed validation episodes of a training run seeded by `rng` (the same for every epoch). */
export function validationEpisodes(validation: DecodedSet, tc: ExperimentConfig['train'], rng: Rng): Episode[] {
  return new EpisodeSampler(validation.set, tc.validation).episodes(tc.validation.episodes, rng.fork('validation'));
}

/**
 * The samples of one data-parallel step, one share per worker: `split` objectives (pairs, triplets)
 * split the batch (sizes differing by at most one), `whole` ones (episodes) draw a step per worker.
 */
function splitStep(objective: Objective, sampler: ObjectiveSampler, workers: number, batchSize: number): StepSamples[] {
  if (objective.dataParallel === 'whole') return Array.from({ length: workers }, () => sampler.next());
  const w = Math.min(workers, batchSize);
  return Array.from({ length: w }, (_, k) => sampler.next(Math.floor(batchSize / w) + (k < batchSize % w ? 1 : 0)));
}

/**
 * What `fewshot train` says when `train.timeLimitMinutes` ended the run: the model then depends on how
 * fast this machine was, so the same command trains a different model elsewhere.
 */
export function timeLimitWarning(minutes: number, epochsRun: number, epochs: number, stepsPerEpoch: number): string {
  return (
    `warning: stopped by train.timeLimitMinutes (${minutes} min) in epoch ${epochsRun} of ${epochs} ` +
    `(${stepsPerEpoch} steps each): the model depends on this machine's speed. For a recipe that trains ` +
    `the same model on any machine, set train.epochs (e.g. --set train.epochs=${Math.max(1, epochsRun - 1)}) ` +
    `and keep the time limit only as a guard that is not reached.`
  );
}
