import { ConfigError, DataError, sampleShape, z, type SampleShape } from '@fewshot/core/plugin';
import { pointCount, type Trajectory } from './trajectory.js';

/** `data.preprocess` of the timeseries modality (defaults apply to keys left out). */
export const timeseriesPreprocessSchema = z.strictObject({
  channels: z
    .number()
    .int()
    .min(1)
    .max(64)
    .default(2)
    .describe(
      'value channels per point (pen trajectories: x and y); a file with another number of value columns is an error',
    ),
  length: z.number().int().min(2).max(4096).default(64).describe('points per sample after resampling'),
  resample: z
    .enum(['arc', 'time', 'index'])
    .default('arc')
    .describe(
      "'arc': evenly spaced along the path (arc length over the value channels, pen-up jumps included), so the speed and rate of recording do not matter; 'time': evenly spaced in time (the time column; files without one fall back to 'index'); 'index': evenly spaced over the recorded points",
    ),
  normalize: z
    .enum(['sample', 'channel', 'none'])
    .default('sample')
    .describe(
      "'sample': centre each channel on its mean and divide all by one scale (the root mean square distance from the centre), keeping the aspect ratio, so position and size (and units) do not matter; 'channel': a z-score per channel; 'none'",
    ),
  deltas: z
    .boolean()
    .default(true)
    .describe(
      'add the differences between consecutive resampled points (times the length: the derivative along the sample), one per value channel',
    ),
  pen: z
    .boolean()
    .default(true)
    .describe(
      'add a pen-down channel: 1 on a stroke, 0 on the jump between two strokes (always 1 for a series without strokes)',
    ),
  direction: z
    .boolean()
    .default(false)
    .describe('add the direction of motion in the plane of the first two channels (cosine and sine)'),
  curvature: z.boolean().default(false).describe('add the turning angle between consecutive directions, divided by pi'),
  timeColumn: z
    .string()
    .min(1)
    .default('auto')
    .describe(
      "CSV/TSV/JSON: the time column: 'auto' (a header named t, time, t_ms, ms, timestamp, seconds...), 'none', a header name or #N (1-based)",
    ),
  strokeColumn: z
    .string()
    .min(1)
    .default('auto')
    .describe(
      "CSV/TSV/JSON: a column whose change of value starts a new stroke: 'auto' (a header named stroke, stroke_id or pen), 'none', a header name or #N",
    ),
});
export type TimeseriesPreprocess = z.output<typeof timeseriesPreprocessSchema>;

/** Features per time step of a decoded sample, in order: values, deltas, pen, direction (2), curvature. */
export function featureCount(pre: TimeseriesPreprocess): number {
  return pre.channels * (pre.deltas ? 2 : 1) + (pre.pen ? 1 : 0) + (pre.direction ? 2 : 0) + (pre.curvature ? 1 : 0);
}

/** `[length, features]` named `time`, `channels`. Direction and curvature need 2 value channels (a ConfigError otherwise). */
export function timeseriesShape(pre: TimeseriesPreprocess): SampleShape {
  if ((pre.direction || pre.curvature) && pre.channels < 2) {
    throw new ConfigError(
      `data.preprocess.direction and curvature need at least 2 value channels, but data.preprocess.channels is ${pre.channels}`,
    );
  }
  return sampleShape([pre.length, featureCount(pre)], ['time', 'channels']);
}

/**
 * A trajectory preprocessed to one decoded sample: resampled to `length` points, normalised, with the
 * requested feature channels; `length x featureCount` values, time-major. A DataError naming `source` when
 * the file has another number of channels than `pre.channels`.
 */
export function preprocessTrajectory(traj: Trajectory, pre: TimeseriesPreprocess, source: string): Float32Array {
  const C = pre.channels;
  if (traj.channels !== C) {
    throw new DataError(
      `${source} has ${traj.channels} value channel${traj.channels === 1 ? '' : 's'} per point, expected ${C}`,
      {
        hints: [
          'set data.preprocess.channels, or data.preprocess.timeColumn / strokeColumn if a column was taken as a value',
        ],
      },
    );
  }
  const L = pre.length;
  const { values, pen } = resample(traj, pre.resample, L);
  normalize(values, L, C, pre.normalize);
  const F = featureCount(pre);
  const out = new Float32Array(L * F);
  for (let i = 0; i < L; i++) {
    let f = i * F;
    for (let c = 0; c < C; c++) out[f++] = values[i * C + c]!;
    if (pre.deltas) {
      for (let c = 0; c < C; c++) out[f++] = i === 0 ? 0 : (values[i * C + c]! - values[(i - 1) * C + c]!) * L;
    }
    if (pre.pen) out[f++] = pen[i]!;
    if (pre.direction || pre.curvature) {
      const [dx, dy] = tangent(values, L, C, i);
      if (pre.direction) {
        out[f++] = dx;
        out[f++] = dy;
      }
      if (pre.curvature) {
        const [px, py] = i === 0 ? [dx, dy] : tangent(values, L, C, i - 1);
        out[f] = Math.atan2(px * dy - py * dx, px * dx + py * dy) / Math.PI;
      }
    }
  }
  return out;
}

/** Unit direction of motion at resampled point i (central differences over the first two channels); (0, 0) when still. */
function tangent(v: Float64Array, L: number, C: number, i: number): [number, number] {
  const a = Math.max(0, i - 1);
  const b = Math.min(L - 1, i + 1);
  const dx = v[b * C]! - v[a * C]!;
  const dy = v[b * C + 1]! - v[a * C + 1]!;
  const n = Math.hypot(dx, dy);
  return n > 1e-12 ? [dx / n, dy / n] : [0, 0];
}

/**
 * `L` points evenly spaced in arc length, time or point index along the trajectory, linearly
 * interpolated between recorded points, with the pen state of the segment each lies on (a segment
 * between two strokes is pen-up). A path of zero length (a dot) or zero duration is spaced by index.
 */
export function resample(
  traj: Trajectory,
  by: TimeseriesPreprocess['resample'],
  L: number,
): { values: Float64Array; pen: Float32Array } {
  const n = pointCount(traj);
  const C = traj.channels;
  const v = traj.values;
  // position of every recorded point along the chosen axis
  let pos = new Float64Array(n);
  if (by === 'arc') {
    for (let k = 1; k < n; k++) {
      let ss = 0;
      for (let c = 0; c < C; c++) ss += (v[k * C + c]! - v[(k - 1) * C + c]!) ** 2;
      pos[k] = pos[k - 1]! + Math.sqrt(ss);
    }
  } else if (by === 'time' && traj.time) {
    // out-of-order times are clamped to be non-decreasing
    pos[0] = traj.time[0]!;
    for (let k = 1; k < n; k++) pos[k] = Math.max(pos[k - 1]!, traj.time[k]!);
  }
  if (by === 'index' || (by === 'time' && !traj.time) || !(pos[n - 1]! - pos[0]! > 0))
    pos = Float64Array.from({ length: n }, (_, k) => k);
  const start = pos[0]!;
  const total = pos[n - 1]! - start;
  const values = new Float64Array(L * C);
  const pen = new Float32Array(L);
  let k = 0; // segment k..k+1 holds the current target
  for (let i = 0; i < L; i++) {
    const target = start + (total * i) / (L - 1);
    while (k < n - 2 && pos[k + 1]! < target) k++;
    const span = pos[k + 1]! - pos[k]!;
    const w = span > 0 ? Math.min(1, Math.max(0, (target - pos[k]!) / span)) : 0;
    for (let c = 0; c < C; c++) values[i * C + c] = v[k * C + c]! + w * (v[(k + 1) * C + c]! - v[k * C + c]!);
    // on a recorded point (w 0 or 1) the pen is down; strictly inside a jump between strokes it is up
    const jump = traj.stroke[k] !== traj.stroke[k + 1];
    pen[i] = jump && w > 0 && w < 1 ? 0 : 1;
  }
  return { values, pen };
}

/** Normalise `L` points of `C` channels in place (see the `normalize` setting). */
export function normalize(v: Float64Array, L: number, C: number, how: TimeseriesPreprocess['normalize']): void {
  if (how === 'none') return;
  const mean = new Float64Array(C);
  for (let i = 0; i < L; i++) for (let c = 0; c < C; c++) mean[c] = mean[c]! + v[i * C + c]! / L;
  const sq = new Float64Array(C);
  for (let i = 0; i < L; i++) for (let c = 0; c < C; c++) sq[c] = sq[c]! + (v[i * C + c]! - mean[c]!) ** 2 / L;
  if (how === 'sample') {
    const rms = Math.sqrt(sq.reduce((a, b) => a + b, 0));
    const s = rms > 1e-12 ? 1 / rms : 0;
    for (let i = 0; i < L; i++) for (let c = 0; c < C; c++) v[i * C + c] = (v[i * C + c]! - mean[c]!) * s;
  } else {
    for (let c = 0; c < C; c++) {
      const sd = Math.sqrt(sq[c]!);
      const s = sd > 1e-12 ? 1 / sd : 0;
      for (let i = 0; i < L; i++) v[i * C + c] = (v[i * C + c]! - mean[c]!) * s;
    }
  }
}
