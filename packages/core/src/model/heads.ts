import { tf } from '../tfjs.js';
import { CosineSimilarity, EuclideanDistance, L1Distance } from './distance-layers.js';

/** Head ids: the three Siamese heads, the naive baseline's pair network and the parameter-free pixel distance. */
export type HeadKind = 'contrastive' | 'l1-sigmoid' | 'cosine' | 'naive' | 'pixel';

/** What a head outputs: a probability of "same class" or a distance (smaller = more alike). */
export function headOutput(kind: HeadKind): 'probability' | 'distance' {
  return kind === 'contrastive' || kind === 'pixel' ? 'distance' : 'probability';
}

export interface HeadOptions {
  readonly hidden?: readonly number[];
  readonly dropout?: number;
}

/**
 * Build a head: a LayersModel taking two embeddings [n, d] and giving [n, 1] (probability or distance),
 * so a head is saved and loaded like any tfjs model.
 */
export function buildHead(
  kind: HeadKind,
  embeddingSize: number,
  seed: number,
  options: HeadOptions = {},
): tf.LayersModel {
  const a = tf.input({ shape: [embeddingSize], name: 'embedding_a' });
  const b = tf.input({ shape: [embeddingSize], name: 'embedding_b' });
  let out: tf.SymbolicTensor;
  switch (kind) {
    case 'contrastive':
    case 'pixel':
      out = new EuclideanDistance({ name: 'euclidean' }).apply([a, b]) as tf.SymbolicTensor;
      break;
    case 'l1-sigmoid': {
      const d = new L1Distance({ name: 'l1' }).apply([a, b]) as tf.SymbolicTensor;
      out = tf.layers
        .dense({
          units: 1,
          activation: 'sigmoid',
          name: 'same_prob',
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
        })
        .apply(d) as tf.SymbolicTensor;
      break;
    }
    case 'cosine': {
      const c = new CosineSimilarity({ name: 'cosine' }).apply([a, b]) as tf.SymbolicTensor;
      // a learned scale and bias on the cosine: sigmoid(10 cos - 5) at the start
      out = tf.layers
        .dense({
          units: 1,
          activation: 'sigmoid',
          name: 'same_prob',
          kernelInitializer: tf.initializers.constant({ value: 10 }),
          biasInitializer: tf.initializers.constant({ value: -5 }),
        })
        .apply(c) as tf.SymbolicTensor;
      break;
    }
    case 'naive': {
      let h = tf.layers.concatenate({ name: 'pair_concat' }).apply([a, b]) as tf.SymbolicTensor;
      (options.hidden ?? [256, 64]).forEach((units, i) => {
        h = tf.layers
          .dense({
            units,
            activation: 'relu',
            name: `pair_dense_${i + 1}`,
            kernelInitializer: tf.initializers.heNormal({ seed: seed + i + 1 }),
          })
          .apply(h) as tf.SymbolicTensor;
        if (options.dropout)
          h = tf.layers
            .dropout({ rate: options.dropout, seed: seed + 100 + i, name: `pair_dropout_${i + 1}` })
            .apply(h) as tf.SymbolicTensor;
      });
      out = tf.layers
        .dense({
          units: 1,
          activation: 'sigmoid',
          name: 'same_prob',
          kernelInitializer: tf.initializers.glorotUniform({ seed }),
        })
        .apply(h) as tf.SymbolicTensor;
      break;
    }
  }
  return tf.model({ inputs: [a, b], outputs: out, name: 'head' });
}

/**
 * The training loss of a head on outputs [n, 1] and labels y [n] (1 = same class):
 * contrastive (Hadsell et al.; the lecture's) for distances, binary cross-entropy for probabilities.
 */
export function pairLoss(kind: HeadKind, output: tf.Tensor, y: tf.Tensor1D, margin: number): tf.Scalar {
  return tf.tidy(() => {
    const o = output.reshape([-1]);
    if (headOutput(kind) === 'distance') {
      const pos = tf.mul(y, tf.square(o));
      const neg = tf.mul(tf.sub(1, y), tf.square(tf.relu(tf.sub(margin, o))));
      return tf.mean(tf.add(pos, neg)) as tf.Scalar;
    }
    const p = tf.clipByValue(o, 1e-7, 1 - 1e-7);
    const ll = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
}
