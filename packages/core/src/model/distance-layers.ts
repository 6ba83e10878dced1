import { tf } from '../tfjs.js';

/**
 * Distance layers of the Siamese heads. Each takes [a, b] (two [n, d] embeddings) and is registered
 * with tfjs serialisation, so a saved head loads back with `tf.loadLayersModel`.
 */
abstract class PairLayer extends tf.layers.Layer {
  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [a] = inputShape as tf.Shape[];
    return this.keepDims() ? (a as tf.Shape) : [(a as tf.Shape)[0] ?? null, 1];
  }
  /** True when the output keeps the embedding dimension (element-wise distance). */
  protected keepDims(): boolean {
    return false;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [a, b] = inputs as tf.Tensor[];
      return this.pair(a as tf.Tensor2D, b as tf.Tensor2D);
    });
  }
  protected abstract pair(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor;
}

/** |a - b| element-wise (Koch et al. 2015 feed this to a learned weighted sum and a sigmoid). */
export class L1Distance extends PairLayer {
  static readonly className = 'FewshotL1Distance';
  protected override keepDims(): boolean {
    return true;
  }
  protected pair(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor {
    return tf.abs(tf.sub(a, b));
  }
}

/** Euclidean distance sqrt(max(sum (a-b)^2, eps)), shape [n, 1] (the lecture's Lambda layer). */
export class EuclideanDistance extends PairLayer {
  static readonly className = 'FewshotEuclideanDistance';
  protected pair(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor {
    return tf.sqrt(tf.maximum(tf.sum(tf.squaredDifference(a, b), 1, true), 1e-12));
  }
}

/** Cosine similarity, shape [n, 1]. */
export class CosineSimilarity extends PairLayer {
  static readonly className = 'FewshotCosineSimilarity';
  protected pair(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor {
    const dot = tf.sum(tf.mul(a, b), 1, true);
    const na = tf.sqrt(tf.maximum(tf.sum(tf.square(a), 1, true), 1e-12));
    const nb = tf.sqrt(tf.maximum(tf.sum(tf.square(b), 1, true), 1e-12));
    return tf.div(dot, tf.mul(na, nb));
  }
}

tf.serialization.registerClass(L1Distance);
tf.serialization.registerClass(EuclideanDistance);
tf.serialization.registerClass(CosineSimilarity);
