import * as tf from '@tensorflow/tfjs';
import { makeOptimizer } from './make-optimizer.js';
import { readOptimizerState, writeOptimizerState } from './optimizer-state.js';
import { TrainSchema } from '../config/experiment-schema.js';

/** A tiny least-squares problem: a weight vector, and the loss of one fixed batch. */
function problem(): { w: tf.Variable; loss: () => tf.Scalar } {
  const w = tf.variable(tf.tensor1d([0.5, -0.25, 1.5]), true);
  const x = tf.tensor2d([
    [1, 2, 3],
    [0.5, -1, 2],
    [-2, 0.3, 1],
  ]);
  const y = tf.tensor1d([1, -1, 0.5]);
  return {
    w,
    loss: () =>
      tf.tidy(() => tf.mean(tf.square(tf.sub(tf.squeeze(tf.matMul(x, tf.reshape(w, [3, 1]))), y))) as tf.Scalar),
  };
}

describe.each(['adam', 'momentum', 'rmsprop', 'sgd'] as const)('optimizer state (%s)', (kind) => {
  const settings = TrainSchema.parse({ optimizer: kind, learningRate: 0.01 });

  it('restored into a new optimizer, continues bit for bit as the uninterrupted one', async () => {
    await tf.setBackend('cpu');
    const a = problem();
    const ref = makeOptimizer(settings);
    for (let i = 0; i < 8; i++) ref.minimize(a.loss, false, [a.w]);
    const expected = Array.from(a.w.dataSync());

    const b = problem();
    const first = makeOptimizer(settings);
    // 5 steps: where Adam's setWeights alone would put pow(0.999, 6), not the bits of 0.999 multiplied 6 times
    for (let i = 0; i < 5; i++) first.minimize(b.loss, false, [b.w]);
    const state = await readOptimizerState(first);
    expect(state.iterations).toBe(5);
    if (kind === 'adam') expect(state.accBeta).toBeDefined();
    first.dispose();
    const leakOf = async (run: () => Promise<void>): Promise<number> => {
      const before = tf.memory().numTensors;
      await run();
      return tf.memory().numTensors - before;
    };
    // tfjs's momentum optimizer keeps a scalar after dispose: the restored one may leak no more than that
    const c = problem();
    const plain = await leakOf(async () => {
      const o = makeOptimizer(settings);
      for (let i = 0; i < 3; i++) o.minimize(c.loss, false, [c.w]);
      o.dispose();
    });
    const restored = await leakOf(async () => {
      const second = makeOptimizer(settings);
      await writeOptimizerState(second, state);
      expect(await readOptimizerState(second)).toEqual(state);
      for (let i = 0; i < 3; i++) second.minimize(b.loss, false, [b.w]);
      second.dispose();
    });
    expect(Array.from(b.w.dataSync())).toEqual(expected);
    expect(restored).toBe(plain);
    ref.dispose();
  });
});

it('refuses the state of another kind of optimizer', async () => {
  const sgd = makeOptimizer(TrainSchema.parse({ optimizer: 'sgd' }));
  const adam = makeOptimizer(TrainSchema.parse({ optimizer: 'adam' }));
  await expect(writeOptimizerState(adam, await readOptimizerState(sgd))).rejects.toThrow(
    "the saved optimizer state is SGD's, this optimizer is Adam",
  );
});
