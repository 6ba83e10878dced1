import * as tf from '@tensorflow/tfjs';
import { makeOptimizer, setLearningRate } from './make-optimizer.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
});

describe('setLearningRate', () => {
  for (const optimizer of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
    it(`changes the rate the ${optimizer} optimizer steps with`, () => {
      const w = tf.variable(tf.tensor1d([1, -2, 3]));
      const opt = makeOptimizer({ optimizer, learningRate: 0.1, momentum: 0.5 });
      const step = (): void => {
        tf.dispose(opt.minimize(() => tf.sum(tf.mul(w, w)) as tf.Scalar, true, [w]) ?? []);
      };
      const before = tf.memory().numTensors;
      try {
        setLearningRate(opt, 0);
        step(); // creates the optimizer's slot variables (moments, accumulators)
        const slots = tf.memory().numTensors;
        const at0 = Array.from(w.dataSync());
        step();
        expect(Array.from(w.dataSync())).toEqual(at0); // a zero rate does not move the weights
        setLearningRate(opt, 0.1);
        step();
        expect(Array.from(w.dataSync())).not.toEqual(at0);
        expect(tf.memory().numTensors).toBe(slots); // replacing the rate leaks nothing
        expect(slots).toBeGreaterThanOrEqual(before);
      } finally {
        opt.dispose();
        w.dispose();
      }
    });
  }
});
