import { readFile } from 'node:fs/promises';
import {
  DataError,
  loadLayout,
  z,
  type DatasetSpec,
  type DecodedSet,
  type LabeledSet,
  type Modality,
  type Rng,
  type SampleRef,
  type SampleShape,
} from '@fewshot/core/plugin';
import { MODALITY_ID, TCN_ENCODER_ID } from './ids.js';
import { parseStrokeText } from './parse-strokes.js';
import { parseJsonSeries, parseTable } from './parse-table.js';
import { readStrokeEntry } from './stroke-archive.js';
import { loadSeriesFolder, loadStrokesOmniglot } from './timeseries-loader.js';
import {
  featureCount,
  preprocessTrajectory,
  timeseriesPreprocessSchema,
  timeseriesShape,
  type TimeseriesPreprocess,
} from './timeseries-preprocess.js';
import { drawTrajectory } from './trajectory-thumbnail.js';
import { mapPlane, transformClasses } from './plane-transform.js';
import type { Trajectory } from './trajectory.js';

/** `train.augment` (and `eval.tta.augment`): random similarity transforms of the first two channels. */
export const timeseriesAugmentSchema = z.strictObject({
  rotate: z
    .number()
    .min(0)
    .max(180)
    .default(0)
    .describe('rotate the plane of the first two channels by a uniform angle in [-rotate, rotate] degrees'),
  scale: z
    .number()
    .min(0)
    .max(0.9)
    .default(0)
    .describe('scale the first two channels independently by factors in [1 - scale, 1 + scale]'),
  noise: z
    .number()
    .min(0)
    .max(10)
    .default(0)
    .describe('standard deviation of Gaussian noise added to the value channels'),
  classTransforms: z
    .array(z.enum(['rot90', 'rot180', 'rot270', 'mirror']))
    .default([])
    .describe(
      'training classes added once before training: every class turned by a quarter turn (rot90, rot180, rot270) or mirrored, each a class of its own',
    ),
});
export type TimeseriesAugment = z.output<typeof timeseriesAugmentSchema>;

/**
 * Multichannel time series, pen trajectories first: Omniglot stroke archives (zips read in place, or
 * unpacked), CSV / TSV tables and JSON arrays, one sample per file, one folder per class. Each sample
 * is resampled to a fixed number of points and decoded to `[length, features]` (see
 * {@link timeseriesPreprocessSchema}).
 */
export class TimeseriesModality implements Modality<TimeseriesPreprocess, TimeseriesAugment> {
  readonly id = MODALITY_ID;
  readonly description =
    'multichannel time series and pen trajectories: Omniglot stroke archives, CSV/TSV and JSON, resampled to a fixed length';
  readonly cacheVersion = '1';
  readonly layouts = ['folder', 'omniglot'];
  readonly defaultEncoder = TCN_ENCODER_ID;
  readonly preprocessSchema = timeseriesPreprocessSchema;
  readonly augmentSchema = timeseriesAugmentSchema;

  sampleShape(pre: TimeseriesPreprocess): SampleShape {
    return timeseriesShape(pre);
  }

  load(spec: DatasetSpec): Promise<LabeledSet> {
    return loadLayout(this.id, { folder: loadSeriesFolder, omniglot: loadStrokesOmniglot }, spec);
  }

  async decode(ref: SampleRef, pre: TimeseriesPreprocess): Promise<Float32Array> {
    const { trajectory, source } = await readTrajectory(ref, pre);
    return preprocessTrajectory(trajectory, pre, source);
  }

  augment(sample: Float32Array, pre: TimeseriesPreprocess, o: TimeseriesAugment, rng: Rng): void {
    if (o.rotate !== 0 || o.scale !== 0) {
      // x' = R S x for the plane of the first two channels (values, deltas, direction)
      const theta = o.rotate === 0 ? 0 : ((rng.next() * 2 - 1) * o.rotate * Math.PI) / 180;
      const sx = o.scale === 0 ? 1 : 1 + (rng.next() * 2 - 1) * o.scale;
      const sy = o.scale === 0 ? 1 : 1 + (rng.next() * 2 - 1) * o.scale;
      const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
      mapPlane(sample, pre, [cos * sx, -sin * sy, sin * sx, cos * sy]);
    }
    if (o.noise > 0) {
      const F = featureCount(pre);
      for (let t = 0; t < pre.length; t++)
        for (let c = 0; c < pre.channels; c++) sample[t * F + c] = sample[t * F + c]! + o.noise * rng.normal();
    }
  }

  augmentClasses(train: DecodedSet, pre: TimeseriesPreprocess, o: TimeseriesAugment): DecodedSet {
    return transformClasses(train, pre, o.classTransforms);
  }

  async thumbnail(
    ref: SampleRef,
    pre: TimeseriesPreprocess,
  ): Promise<{ width: number; height: number; channels: 1; data: Uint8Array }> {
    const { trajectory } = await readTrajectory(ref, pre);
    return drawTrajectory(trajectory, 64);
  }
}

/** Read and parse one sample's file (or zip entry); `source` names it in messages. */
export async function readTrajectory(
  ref: SampleRef,
  pre: TimeseriesPreprocess,
): Promise<{ trajectory: Trajectory; source: string }> {
  const lower = ref.path.toLowerCase();
  if (lower.endsWith('.zip')) {
    const source = `${ref.path}:${ref.id}`;
    return { trajectory: parseStrokeText(await readStrokeEntry(ref.path, ref.id), source), source };
  }
  let text: string;
  try {
    text = await readFile(ref.path, 'utf8');
  } catch (err) {
    throw new DataError(`cannot read ${ref.path}: ${(err as Error).message}`, { cause: err });
  }
  const source = ref.path;
  if (text.includes('\u0000')) throw new DataError(`${source} is not a text file (it holds NUL bytes)`);
  const columns = { timeColumn: pre.timeColumn, strokeColumn: pre.strokeColumn };
  if (lower.endsWith('.json')) return { trajectory: parseJsonSeries(text, source, columns), source };
  if (lower.endsWith('.txt') && /^\s*START\s*$/m.test(text.slice(0, 200)))
    return { trajectory: parseStrokeText(text, source), source };
  return { trajectory: parseTable(text, source, columns), source };
}
