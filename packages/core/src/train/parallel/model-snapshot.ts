import { tf } from '../../tfjs.js';
import { PairModel, type PairModelMeta } from '../../model/pair-model.js';
// registers the distance layers of the heads with tfjs serialisation (PairModel imports it too)
import '../../model/distance-layers.js';

/**
 * A PairModel as plain, structured-clonable data: the encoder's and head's topology JSON (standard
 * tfjs layers plus registered custom layers), the meta, and every weight value. A worker thread
 * rebuilds an identical replica from it with `rebuildPairModel`.
 */
export interface PairModelSnapshot {
  readonly meta: PairModelMeta;
  readonly encoder: object;
  readonly head: object;
  /** Trainable weights, concatenated in `model.trainableVariables` order. */
  readonly trainable: Float32Array;
  /** Non-trainable weights (batch-norm moving mean / variance), in `statVariables` order. */
  readonly stats: Float32Array;
}

/** The non-trainable variables of a model (batch-norm moving statistics), encoder first then head. */
export function statVariables(model: PairModel): tf.Variable[] {
  return [...model.encoder.nonTrainableWeights, ...model.head.nonTrainableWeights].map(
    (w) => (w as unknown as { val: tf.Variable }).val,
  );
}

/** Total number of values of `vars`. */
export function sizeOf(vars: readonly tf.Variable[]): number {
  return vars.reduce((s, v) => s + v.size, 0);
}

/** Shapes, for checking that two replicas have the same layout. */
export function shapesOf(vars: readonly tf.Variable[]): number[][] {
  return vars.map((v) => v.shape.slice());
}

/** Copy the values of `vars` into one Float32Array (their concatenation, in order). */
export function readVariables(vars: readonly tf.Variable[]): Float32Array {
  const out = new Float32Array(sizeOf(vars));
  let off = 0;
  for (const v of vars) {
    if (v.dtype !== 'float32')
      throw new TypeError(`variable ${v.name} is ${v.dtype}; parallel training handles float32 weights only`);
    out.set(v.dataSync() as Float32Array, off);
    off += v.size;
  }
  return out;
}

/** Assign the concatenation `flat` (as made by `readVariables`) back to `vars`. */
export function writeVariables(vars: readonly tf.Variable[], flat: Float32Array): void {
  if (flat.length !== sizeOf(vars)) throw new RangeError(`expected ${sizeOf(vars)} weight values, got ${flat.length}`);
  tf.tidy(() => {
    let off = 0;
    for (const v of vars) {
      v.assign(tf.tensor(flat.subarray(off, off + v.size), v.shape, 'float32'));
      off += v.size;
    }
  });
}

export function snapshotPairModel(model: PairModel): PairModelSnapshot {
  return {
    meta: model.meta,
    encoder: model.encoder.toJSON(null, false) as object,
    head: model.head.toJSON(null, false) as object,
    trainable: readVariables(model.trainableVariables),
    stats: readVariables(statVariables(model)),
  };
}

/** Rebuild a replica (custom layers must be registered in this thread first). */
export async function rebuildPairModel(s: PairModelSnapshot): Promise<PairModel> {
  const load = (topology: object) => tf.models.modelFromJSON({ modelTopology: topology } as tf.io.ModelJSON as never);
  const model = new PairModel(await load(s.encoder), await load(s.head), s.meta);
  writeVariables(model.trainableVariables, s.trainable);
  writeVariables(statVariables(model), s.stats);
  return model;
}
