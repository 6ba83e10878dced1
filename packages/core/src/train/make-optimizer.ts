import { tf } from '../tfjs.js';
import type { TrainConfig } from '../config/experiment-schema.js';

/** The configured optimizer. */
export function makeOptimizer(train: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'momentum'>): tf.Optimizer {
  switch (train.optimizer) {
    case 'adam':
      return tf.train.adam(train.learningRate);
    case 'sgd':
      return tf.train.sgd(train.learningRate);
    case 'momentum':
      return tf.train.momentum(train.learningRate, train.momentum);
    case 'rmsprop':
      return tf.train.rmsprop(train.learningRate);
  }
}

/**
 * Change an optimizer's learning rate between steps. tfjs's sgd and momentum keep it in a scalar tensor
 * that only their own `setLearningRate` replaces; adam and rmsprop read the `learningRate` property.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as { learningRate: number; setLearningRate?: (lr: number) => void };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
