import { ConfigError, LabeledSet, SampleStore, type DecodedSet, type SampleRef } from '@fewshot/core/plugin';
import { featureCount, type TimeseriesPreprocess } from './timeseries-preprocess.js';

/** A 2x2 linear map of the plane of the first two channels, row-major: x' = a x + b y, y' = c x + d y. */
export type PlaneMap = readonly [number, number, number, number];

/**
 * Apply a linear map of the plane to one decoded sample in place: the first two value channels and
 * their deltas (linear, so mapped alike), the direction (mapped, then made unit length again) and the
 * curvature (its sign flips with a reflection). The pen channel and other channels are left alone.
 */
export function mapPlane(sample: Float32Array, pre: TimeseriesPreprocess, m: PlaneMap): void {
  if (pre.channels < 2) return;
  const C = pre.channels;
  const F = featureCount(pre);
  const dirAt = C * (pre.deltas ? 2 : 1) + (pre.pen ? 1 : 0);
  const curveAt = dirAt + (pre.direction ? 2 : 0);
  const flips = m[0] * m[3] - m[1] * m[2] < 0;
  const map = (i: number): void => {
    const x = sample[i]!;
    const y = sample[i + 1]!;
    sample[i] = m[0] * x + m[1] * y;
    sample[i + 1] = m[2] * x + m[3] * y;
  };
  for (let t = 0; t < pre.length; t++) {
    const f = t * F;
    map(f);
    if (pre.deltas) map(f + C);
    if (pre.direction) {
      map(f + dirAt);
      const n = Math.hypot(sample[f + dirAt]!, sample[f + dirAt + 1]!);
      if (n > 1e-12) {
        sample[f + dirAt] = sample[f + dirAt]! / n;
        sample[f + dirAt + 1] = sample[f + dirAt + 1]! / n;
      }
    }
    if (pre.curvature && flips) sample[f + curveAt] = -sample[f + curveAt]!;
  }
}

/** The class transforms of `train.augment`: quarter turns and a mirror image, each a new class. */
export const CLASS_TRANSFORMS: Readonly<Record<string, PlaneMap>> = {
  rot90: [0, -1, 1, 0],
  rot180: [-1, 0, 0, -1],
  rot270: [0, 1, -1, 0],
  mirror: [-1, 0, 0, 1],
};

/**
 * Class augmentation of a decoded training set: every class also appears transformed by each of
 * `names` (keys of {@link CLASS_TRANSFORMS}), each transform a class of its own (`Greek/character01@rot90`),
 * as the image plugin's `rotateClasses`. Transformed samples keep the file and attributes of their source.
 */
export function transformClasses(train: DecodedSet, pre: TimeseriesPreprocess, names: readonly string[]): DecodedSet {
  if (names.length === 0) return train;
  if (pre.channels < 2)
    throw new ConfigError(
      `train.augment.classTransforms needs at least 2 value channels (a plane to turn), but data.preprocess.channels is ${pre.channels}`,
    );
  const refs: SampleRef[] = [];
  const plan: { row: number; map?: PlaneMap }[] = [];
  train.set.samples.forEach((s, row) => {
    refs.push(s);
    plan.push({ row });
    for (const name of names) {
      refs.push({
        id: `${s.id}@${name}`,
        path: s.path,
        label: `${s.label}@${name}`,
        attrs: { ...(s.attrs ?? {}), transform: name },
      });
      plan.push({ row, map: CLASS_TRANSFORMS[name]! });
    }
  });
  const set = new LabeledSet(refs, `${train.set.source} with transformed classes`);
  const size = train.store.sampleSize;
  const data = new Float32Array(set.size * size);
  const byId = new Map(refs.map((r, i) => [r.id, plan[i]!]));
  set.samples.forEach((s, i) => {
    const { row, map } = byId.get(s.id)!;
    const to = data.subarray(i * size, (i + 1) * size);
    train.store.copyRow(row, to);
    if (map) mapPlane(to, pre, map);
  });
  return { set, store: new SampleStore(train.store.shape, data), skipped: train.skipped };
}
