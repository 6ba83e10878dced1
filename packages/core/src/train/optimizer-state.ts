import { tf } from '../tfjs.js';

/**
 * The state of a tfjs optimizer as plain, structured-clonable data: its iteration count, its slot
 * variables (Adam's first and second moments, momentum's accumulations, RMSProp's mean squares), in
 * the optimizer's own order, and Adam's running powers of beta1 and beta2, which `setWeights` alone
 * would recompute with `pow` (not always the bits that repeated multiplication gave).
 */
export interface OptimizerState {
  /** The optimizer's class name (`Adam`, `SGD`, ...). */
  readonly kind: string;
  readonly iterations: number;
  readonly names: readonly string[];
  readonly shapes: readonly (readonly number[])[];
  /** The slot values, concatenated in `names` order. */
  readonly values: Float32Array;
  /** Adam's accBeta1 and accBeta2 (absent for other optimizers). */
  readonly accBeta?: readonly [number, number];
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** Copy the state out of `optimizer` (nothing of it is disposed or changed). */
export async function readOptimizerState(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const weights = await optimizer.getWeights();
  const [iter, ...slots] = weights;
  const iterations = iter ? (await iter.tensor.data())[0]! : 0;
  iter?.tensor.dispose(); // a new scalar made by getWeights; the slots are the optimizer's own variables
  const values = new Float32Array(slots.reduce((s, w) => s + w.tensor.size, 0));
  let off = 0;
  for (const w of slots) {
    if (w.tensor.dtype !== 'float32')
      throw new TypeError(`optimizer slot ${w.name} is ${w.tensor.dtype}; checkpoints hold float32 slots only`);
    values.set((await w.tensor.data()) as Float32Array, off);
    off += w.tensor.size;
  }
  const kind = (optimizer.constructor as { className?: string }).className ?? optimizer.getClassName();
  const adam = optimizer as unknown as Partial<AdamInternals>;
  const accBeta =
    adam.accBeta1 && adam.accBeta2
      ? ([(await adam.accBeta1.data())[0]!, (await adam.accBeta2.data())[0]!] as const)
      : undefined;
  return {
    kind,
    iterations,
    names: slots.map((w) => w.name),
    shapes: slots.map((w) => w.tensor.shape.slice()),
    values,
    ...(accBeta ? { accBeta } : {}),
  };
}

/** Put `state` (from `readOptimizerState` of an optimizer of the same kind and settings) into `optimizer`. */
export async function writeOptimizerState(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const kind = (optimizer.constructor as { className?: string }).className ?? optimizer.getClassName();
  if (kind !== state.kind)
    throw new RangeError(`the saved optimizer state is ${state.kind}'s, this optimizer is ${kind}`);
  const total = state.shapes.reduce((s, shape) => s + shape.reduce((a, b) => a * b, 1), 0);
  if (total !== state.values.length)
    throw new RangeError(`the saved optimizer state has ${state.values.length} values for shapes of ${total}`);
  const tensors: tf.Tensor[] = [tf.scalar(state.iterations, 'int32')];
  let off = 0;
  for (const shape of state.shapes) {
    const size = shape.reduce((a, b) => a * b, 1);
    tensors.push(tf.tensor(state.values.slice(off, off + size), shape.slice(), 'float32'));
    off += size;
  }
  try {
    await optimizer.setWeights(tensors.map((tensor, i) => ({ name: i === 0 ? 'iter' : state.names[i - 1]!, tensor })));
  } finally {
    tf.dispose(tensors); // setWeights made variables of its own from them
  }
  if (state.accBeta) {
    const adam = optimizer as unknown as AdamInternals;
    const [b1, b2] = state.accBeta;
    tf.tidy(() => {
      adam.accBeta1.assign(tf.scalar(b1));
      adam.accBeta2.assign(tf.scalar(b2));
    });
  }
}
