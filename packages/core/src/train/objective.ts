import type * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment-schema.js';
import type { LabeledSet } from '../labeled-set.js';
import type { Rng } from '../rng.js';
import { ConfigError } from '../errors.js';
import type { ModalityRegistry } from '../registry.js';

/**
 * A training objective (`train.objective`): which samples make one training step, and the loss of the
 * model on them. Every objective feeds the step's samples through the shared encoder once. Core binds
 * `pairs`, `triplet` and `prototypes`; a plugin adds its own with
 * `bind(MyObjective).toSelf().inSingletonScope(); bind(Objective).toService(MyObjective)`.
 *
 * Objectives are stateless services: `sampler` starts the sample stream of one training run, `loss`
 * is a pure function of the model, the step and the train settings, so data-parallel gradient workers
 * (which load the same plugins) compute it with their own instance, found by `id`.
 */
export const Objective = Symbol.for('fewshot.Objective');
export interface Objective {
  /** Id used in the config (`train.objective: triplet`). */
  readonly id: string;
  readonly description: string;
  /** `model.head` values whose models this objective can train; absent or empty: any head. */
  readonly heads?: readonly string[];
  /**
   * How one data-parallel step is shared by W gradient workers: `split` draws one batch of
   * `train.batchSize` items as W parts (`next(size)`, sizes differing by at most one); `whole` draws W
   * complete steps (`next()`), one per worker (a step is then W times larger).
   */
  readonly dataParallel: 'split' | 'whole';
  /** Start the sample stream of one training run on the training set (draws only from `rng`). */
  sampler(set: LabeledSet, train: TrainConfig, rng: Rng): ObjectiveSampler;
  /**
   * Loss of one step: `x` holds the decoded (and augmented) samples of the `indices` that `next()`
   * listed, in that order ([rows, ...sample shape]); `labels` are its labels. Called inside
   * `optimizer.minimize` (or `tf.variableGrads` in a worker): apply the encoder with
   * `{ training: true }`, and keep intermediate tensors inside `tf.tidy`.
   */
  loss(model: ObjectiveModel, x: tf.Tensor, labels: tf.Tensor1D, train: TrainConfig): tf.Scalar;
}

/** The sample stream of one training run. */
export interface ObjectiveSampler {
  /** The next step's samples; `size` overrides the items per step (`dataParallel: 'split'` only). */
  next(size?: number): StepSamples;
}

/** One training step's samples: row indices into the training set, and the labels its loss needs. */
export interface StepSamples {
  readonly indices: readonly number[];
  readonly labels: Float32Array;
}

/** What an objective's loss may use of the model being trained (a PairModel). */
export interface ObjectiveModel {
  /** The shared encoder: [batch, ...sample shape] -> [batch, d]. */
  readonly encoder: tf.LayersModel;
  /** The pair head: two [n, d] embeddings -> [n, 1] probabilities or distances. */
  readonly head: tf.LayersModel;
  readonly meta: { readonly head: string; readonly margin: number };
  /** The head's own loss of a pair batch x = [a_1..a_n, b_1..b_n] with labels y [n] (1 = same class). */
  pairLossOf(x: tf.Tensor, y: tf.Tensor1D, training: boolean): tf.Scalar;
}

/** Throws a ConfigError unless `objective` can train a model with the head `head`. */
export function checkObjectiveHead(objective: Objective, head: string): void {
  const heads = objective.heads ?? [];
  if (heads.length === 0 || heads.includes(head)) return;
  const wanted = heads.join(' or ');
  throw new ConfigError(
    `train.objective '${objective.id}' is made for the ${wanted} head: it needs model.head: ${wanted}, not '${head}'`,
  );
}

/** The objective `train.objective` names, from the registry; the error names the config file and the key. */
export function configuredObjective(registry: ModalityRegistry, id: string, file: string): Objective {
  try {
    return registry.objective(id);
  } catch (cause) {
    if (!(cause instanceof ConfigError)) throw cause;
    throw new ConfigError(`${file}: train.objective: ${cause.message}`, { cause, hints: cause.hints });
  }
}
