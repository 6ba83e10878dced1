import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from '../config/experiment-schema.js';
import type { LabeledSet } from '../labeled-set.js';
import type { PairModel } from '../model/pair-model.js';
import { PairSampler } from '../samplers/make-pairs.js';
import { TripletSampler } from '../samplers/triplet-sampler.js';
import { EpisodeSampler } from '../samplers/episode-sampler.js';
import type { Rng } from '../rng.js';
import { ConfigError } from '../errors.js';

/** One training step's samples: row indices into the training store, and the labels its loss needs. */
export interface StepSamples {
  readonly indices: readonly number[];
  readonly labels: Float32Array;
}

/**
 * A training objective: which samples make a step, and the loss of their encoder outputs. Every
 * objective feeds one batch through the shared encoder once.
 */
export interface Objective {
  readonly name: TrainConfig['objective'];
  /** What the loss needs besides the batch (sent to gradient workers). */
  readonly spec: LossSpec;
  /** The next step's samples; `size` overrides the pairs/triplets per step (episodes keep their shape). */
  next(size?: number): StepSamples;
  /** Loss of one step (call inside optimizer.minimize). */
  loss(model: PairModel, x: tf.Tensor, labels: tf.Tensor1D): tf.Scalar;
}

/** The loss of an objective, as plain data. */
export type LossSpec =
  | { readonly objective: 'pairs' }
  | { readonly objective: 'triplet' }
  | { readonly objective: 'prototypes'; readonly ways: number; readonly shots: number };

/** The loss of one batch under `spec`: x holds the rows `next()` listed, labels its labels. */
export function objectiveLoss(spec: LossSpec, model: PairModel, x: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  switch (spec.objective) {
    case 'pairs':
      return model.pairLossOf(x, labels, true);
    case 'triplet':
      return tripletLoss(model, x, labels);
    case 'prototypes':
      return prototypeLoss(model, x, labels, spec.ways, spec.shots);
  }
}

export function makeObjective(train: TrainConfig, set: LabeledSet, model: PairModel, rng: Rng): Objective {
  if (train.objective !== 'pairs' && model.meta.head !== 'contrastive') {
    throw new ConfigError(`train.objective '${train.objective}' trains Euclidean distances: it needs model.head: contrastive, not '${model.meta.head}'`);
  }
  switch (train.objective) {
    case 'pairs':
      return pairsObjective(train, set, rng);
    case 'triplet':
      return tripletObjective(train, set, rng);
    case 'prototypes':
      return prototypesObjective(train, set, rng);
  }
}

function pairsObjective(train: TrainConfig, set: LabeledSet, rng: Rng): Objective {
  const sampler = new PairSampler(set, rng.fork('pairs'));
  const spec: LossSpec = { objective: 'pairs' };
  return {
    name: 'pairs',
    spec,
    next(size = train.batchSize) {
      const pairs = sampler.next(size);
      return { indices: pairs.map((p) => p.a).concat(pairs.map((p) => p.b)), labels: Float32Array.from(pairs, (p) => p.same) };
    },
    loss: (model, x, y) => objectiveLoss(spec, model, x, y),
  };
}

function tripletObjective(train: TrainConfig, set: LabeledSet, rng: Rng): Objective {
  const sampler = new TripletSampler(set, rng.fork('triplets'));
  const spec: LossSpec = { objective: 'triplet' };
  return {
    name: 'triplet',
    spec,
    next(size = train.batchSize) {
      const t = sampler.next(size);
      return { indices: [...t.map((x) => x.anchor), ...t.map((x) => x.positive), ...t.map((x) => x.negative)], labels: new Float32Array(t.length) };
    },
    loss: (model, x, y) => objectiveLoss(spec, model, x, y),
  };
}

/** Margin loss on Euclidean distances; x = [anchors, positives, negatives]. */
function tripletLoss(model: PairModel, x: tf.Tensor, y: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const n = y.shape[0];
    const e = model.encoder.apply(x, { training: true }) as tf.Tensor2D;
    const [a, p, neg] = tf.split(e, [n, n, n], 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const dist = (u: tf.Tensor2D, v: tf.Tensor2D) => tf.sqrt(tf.maximum(tf.sum(tf.squaredDifference(u, v), 1), 1e-12));
    return tf.mean(tf.relu(tf.add(tf.sub(dist(a, p), dist(a, neg)), model.meta.margin))) as tf.Scalar;
  });
}

function prototypesObjective(train: TrainConfig, set: LabeledSet, rng: Rng): Objective {
  const { ways, shots, queries } = train.episode;
  const sampler = new EpisodeSampler(set, { ways, shots, queries });
  const epRng = rng.fork('episodes');
  const spec: LossSpec = { objective: 'prototypes', ways, shots };
  return {
    name: 'prototypes',
    spec,
    next() {
      const ep = sampler.sample(epRng);
      const indices = [...ep.supportSet.flat(), ...ep.querySet.map((q) => q.sample)];
      return { indices, labels: Float32Array.from(ep.querySet, (q) => q.label) };
    },
    loss: (model, x, y) => objectiveLoss(spec, model, x, y),
  };
}

/** Snell et al.'s loss: softmax over negative squared distances to the class means of the support rows. */
function prototypeLoss(model: PairModel, x: tf.Tensor, y: tf.Tensor1D, ways: number, shots: number): tf.Scalar {
  return tf.tidy(() => {
    const e = model.encoder.apply(x, { training: true }) as tf.Tensor2D;
    const d = e.shape[1];
    const [support, query] = tf.split(e, [ways * shots, y.shape[0]], 0) as [tf.Tensor2D, tf.Tensor2D];
    const protos = tf.mean(tf.reshape(support, [ways, shots, d]), 1) as tf.Tensor2D;
    // squared distances via |q|^2 - 2 q.p + |p|^2 (matMul: no [Q, N, d] intermediate)
    const qq = tf.sum(tf.square(query), 1, true);
    const pp = tf.reshape(tf.sum(tf.square(protos), 1), [1, ways]);
    const sq = tf.add(tf.sub(qq, tf.mul(2, tf.matMul(query, protos, false, true))), pp);
    const onehot = tf.oneHot(tf.cast(y, 'int32'), ways);
    return tf.losses.softmaxCrossEntropy(onehot, tf.neg(sq)) as tf.Scalar;
  });
}
