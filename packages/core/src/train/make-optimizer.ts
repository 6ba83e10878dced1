import * as tf from '@tensorflow/tfjs';
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

/** Change an optimizer's learning rate between steps (tfjs optimizers read it on every step). */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}
