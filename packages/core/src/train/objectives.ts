import { tf } from '../tfjs.js';
import { injectable } from 'inversify';
import type { TrainConfig } from '../config/experiment-schema.js';
import type { LabeledSet } from '../labeled-set.js';
import { PairSampler } from '../samplers/make-pairs.js';
import { TripletSampler } from '../samplers/triplet-sampler.js';
import { EpisodeSampler } from '../samplers/episode-sampler.js';
import type { Rng } from '../rng.js';
import type { Objective, ObjectiveModel, ObjectiveSampler } from './objective.js';
import { ConfigError } from '../errors.js';

/**
 * The objective of a data-parallel training run as plain data (sent to gradient workers): its id,
 * which each worker resolves in its own plugin container, and the train settings its loss reads.
 */
export interface LossSpec {
  readonly objective: string;
  /** Default: the schema's defaults (enough for `pairs`, whose loss reads none). */
  readonly train?: TrainConfig;
}

/** `pairs`: balanced same/different pairs (`makePairs`) and the head's own loss. */
@injectable()
export class PairsObjective implements Objective {
  readonly id = 'pairs';
  readonly description =
    "balanced same/different pairs and the head's loss (contrastive, or cross-entropy on probabilities)";
  readonly dataParallel = 'split';

  sampler(set: LabeledSet, train: TrainConfig, rng: Rng): ObjectiveSampler {
    const sampler = new PairSampler(set, rng.fork('pairs'));
    return {
      next(size = train.batchSize) {
        const pairs = sampler.next(size);
        return {
          indices: pairs.map((p) => p.a).concat(pairs.map((p) => p.b)),
          labels: Float32Array.from(pairs, (p) => p.same),
        };
      },
    };
  }

  loss(model: ObjectiveModel, x: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
    return model.pairLossOf(x, labels, true);
  }
}

/** `triplet`: anchor/positive/negative triplets, margin loss on Euclidean distances. */
@injectable()
export class TripletObjective implements Objective {
  readonly id = 'triplet';
  readonly description = 'anchor/positive/negative triplets, margin loss on Euclidean distances of embeddings';
  readonly heads = ['contrastive'];
  readonly dataParallel = 'split';

  sampler(set: LabeledSet, train: TrainConfig, rng: Rng): ObjectiveSampler {
    const sampler = new TripletSampler(set, rng.fork('triplets'));
    return {
      next(size = train.batchSize) {
        const t = sampler.next(size);
        return {
          indices: [...t.map((x) => x.anchor), ...t.map((x) => x.positive), ...t.map((x) => x.negative)],
          labels: new Float32Array(t.length),
        };
      },
    };
  }

  /** x = [anchors, positives, negatives]. */
  loss(model: ObjectiveModel, x: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const n = labels.shape[0];
      const e = model.encoder.apply(x, { training: true }) as tf.Tensor2D;
      const [a, p, neg] = tf.split(e, [n, n, n], 0) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
      const dist = (u: tf.Tensor2D, v: tf.Tensor2D) =>
        tf.sqrt(tf.maximum(tf.sum(tf.squaredDifference(u, v), 1), 1e-12));
      return tf.mean(tf.relu(tf.add(tf.sub(dist(a, p), dist(a, neg)), model.meta.margin))) as tf.Scalar;
    });
  }
}

/**
 * `prototypes`: one N-way K-shot episode per step (`train.episode`), Snell et al.'s loss: softmax over
 * negative squared distances to the class means of the support rows.
 */
@injectable()
export class PrototypesObjective implements Objective {
  readonly id = 'prototypes';
  readonly description =
    'N-way K-shot episodes (train.episode), softmax over negative squared distances to class means (Snell et al. 2017)';
  readonly heads = ['contrastive'];
  readonly dataParallel = 'whole';

  sampler(set: LabeledSet, train: TrainConfig, rng: Rng): ObjectiveSampler {
    const { ways, shots, queries } = train.episode;
    const sampler = new EpisodeSampler(set, { ways, shots, queries });
    const epRng = rng.fork('episodes');
    return {
      next() {
        const ep = sampler.sample(epRng);
        const indices = [...ep.supportSet.flat(), ...ep.querySet.map((q) => q.sample)];
        return { indices, labels: Float32Array.from(ep.querySet, (q) => q.label) };
      },
    };
  }

  /** x = [support rows (class by class, `shots` each), query rows]; labels: the queries' classes. */
  loss(model: ObjectiveModel, x: tf.Tensor, labels: tf.Tensor1D, train: TrainConfig): tf.Scalar {
    const { ways, shots } = train.episode;
    return tf.tidy(() => {
      const e = model.encoder.apply(x, { training: true }) as tf.Tensor2D;
      const d = e.shape[1];
      const [support, query] = tf.split(e, [ways * shots, labels.shape[0]], 0) as [tf.Tensor2D, tf.Tensor2D];
      const protos = tf.mean(tf.reshape(support, [ways, shots, d]), 1) as tf.Tensor2D;
      // squared distances via |q|^2 - 2 q.p + |p|^2 (matMul: no [Q, N, d] intermediate)
      const qq = tf.sum(tf.square(query), 1, true);
      const pp = tf.reshape(tf.sum(tf.square(protos), 1), [1, ways]);
      const sq = tf.add(tf.sub(qq, tf.mul(2, tf.matMul(query, protos, false, true))), pp);
      const onehot = tf.oneHot(tf.cast(labels, 'int32'), ways);
      return tf.losses.softmaxCrossEntropy(onehot, tf.neg(sq)) as tf.Scalar;
    });
  }
}

/**
 * Core's objective of this id, for callers without a plugin container (a plugin's objective comes
 * from `registry.objective(id)`).
 */
export function coreObjective(id: string): Objective {
  const core: Objective[] = [new PairsObjective(), new TripletObjective(), new PrototypesObjective()];
  const found = core.find((o) => o.id === id);
  if (found) return found;
  throw new ConfigError(
    `train.objective '${id}' is not one of core's objectives (${core.map((o) => o.id).join(', ')})`,
    {
      hints: [
        "a plugin's objective is resolved with registry.objective(id) and passed to trainPairModel as `objective`",
      ],
    },
  );
}
