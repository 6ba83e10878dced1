/**
 * The Mean gradient without full-size temporaries, for the wasm backend.
 *
 * tfjs's gradient (tfjs-core Mean_grad) is div(mul(reshape(dy), ones(x.shape)), n): three full-size
 * tensors per mean (batch norm's moments take two means per layer). Multiplying by one is exact, so
 * tile(div(reshape(dy), n)) (a small division, then the block-copy Tile kernel) gives the same values
 * bit for bit with one full-size write. Registered for every backend, as tfjs gradients are, but taking
 * this route only on the wasm backend for float32 gradients; elsewhere it is tfjs's own gradient.
 */
import { tf } from '../tfjs.js';

const MARK = Symbol.for('@fewshot/core:wasm-mean-grad');

interface MarkedGradConfig extends tf.GradConfig {
  [MARK]?: { original: tf.GradConfig | undefined };
}

function fastGradient(original: tf.GradConfig): tf.GradFunc {
  return (dyIn, saved, attrs) => {
    const dy = dyIn as tf.Tensor;
    const [x] = saved as [tf.Tensor];
    if (tf.getBackend() !== 'wasm' || dy.dtype !== 'float32') return original.gradFunc(dyIn, saved, attrs);
    const axes = tf.util.parseAxisParam((attrs as unknown as tf.MeanAttrs).axis, x.shape);
    const reduceSize = axes.reduce((n, a) => n * x.shape[a]!, 1);
    const expanded = x.shape.map((s, i) => (axes.includes(i) ? 1 : s));
    const reps = x.shape.map((s, i) => (axes.includes(i) ? s : 1));
    return { x: () => tf.tile(tf.div(tf.reshape(dy, expanded), reduceSize), reps) };
  };
}

/** Replaces the Mean gradient with the dispatching one above (idempotent). */
export function registerMeanGradient(): void {
  const existing = tf.getGradient('Mean') as MarkedGradConfig | undefined;
  if (!existing || existing[MARK]) return;
  const config: MarkedGradConfig = {
    kernelName: 'Mean',
    inputsToSave: existing.inputsToSave ?? ['x'],
    gradFunc: fastGradient(existing),
  };
  config[MARK] = { original: existing };
  tf.registerGradient(config);
}

/** Restores tfjs's own Mean gradient (idempotent). */
export function unregisterMeanGradient(): void {
  const original = (tf.getGradient('Mean') as MarkedGradConfig | undefined)?.[MARK]?.original;
  if (original) tf.registerGradient(original);
}

/** True when the Mean gradient is ours. */
export function meanGradientRegistered(): boolean {
  return (tf.getGradient('Mean') as MarkedGradConfig | undefined)?.[MARK] != null;
}
