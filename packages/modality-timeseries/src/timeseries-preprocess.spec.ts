import { ConfigError, DataError } from '@fewshot/core/plugin';
import {
  featureCount,
  preprocessTrajectory,
  resample,
  timeseriesPreprocessSchema,
  timeseriesShape,
} from './timeseries-preprocess.js';
import type { Trajectory } from './trajectory.js';

/** A trajectory from [x, y] points, optional times and strokes. */
function traj(points: number[][], time?: number[], stroke?: number[]): Trajectory {
  return {
    channels: points[0]!.length,
    values: Float64Array.from(points.flat()),
    ...(time ? { time: Float64Array.from(time) } : {}),
    stroke: Int32Array.from(stroke ?? points.map(() => 0)),
  };
}

const pre = (o: Record<string, unknown> = {}) => timeseriesPreprocessSchema.parse(o);

describe('timeseries preprocessing', () => {
  it('has typed defaults, rejects misspelt keys and gives [length, features] named time, channels', () => {
    expect(pre()).toMatchObject({
      channels: 2,
      length: 64,
      resample: 'arc',
      normalize: 'sample',
      deltas: true,
      pen: true,
      direction: false,
      curvature: false,
    });
    expect(timeseriesPreprocessSchema.safeParse({ lenght: 3 }).success).toBe(false);
    const p = pre({ direction: true, curvature: true });
    expect(featureCount(p)).toBe(2 + 2 + 1 + 2 + 1);
    expect(timeseriesShape(p)).toEqual({ dims: [64, 8], names: ['time', 'channels'] });
    expect(() => timeseriesShape(pre({ channels: 1, direction: true }))).toThrow(ConfigError);
  });

  it('resamples evenly along the arc length, whatever the recording rate', () => {
    // an L-shaped path: 3 units right, then 1 up, recorded densely on the first leg and sparsely on the second
    const dense = traj([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [3, 1],
    ]);
    const { values } = resample(dense, 'arc', 5);
    expect(Array.from(values)).toEqual([0, 0, 1, 0, 2, 0, 3, 0, 3, 1]);
    const sparse = traj([
      [0, 0],
      [3, 0],
      [3, 1],
    ]);
    expect(Array.from(resample(sparse, 'arc', 5).values)).toEqual(Array.from(values));
  });

  it('resamples evenly in time, or by index without a time column', () => {
    const t = traj(
      [
        [0, 0],
        [10, 0],
        [20, 0],
      ],
      [0, 1, 4],
    );
    expect(
      Array.from(resample(t, 'time', 5).values)
        .filter((_, i) => i % 2 === 0)
        .map((v) => +v.toFixed(6)),
    ).toEqual([0, 10, 13.333333, 16.666667, 20]);
    expect(
      Array.from(
        resample(
          traj([
            [0, 0],
            [10, 0],
            [20, 0],
          ]),
          'time',
          5,
        ).values,
      ).filter((_, i) => i % 2 === 0),
    ).toEqual([0, 5, 10, 15, 20]);
  });

  it('marks the jump between two strokes pen-up', () => {
    const t = traj(
      [
        [0, 0],
        [1, 0],
        [1, 2],
        [2, 2],
      ],
      undefined,
      [0, 0, 1, 1],
    );
    // arc length 4: points at 0, 1, 2 (half way up the jump), 3, 4
    expect(Array.from(resample(t, 'arc', 5).pen)).toEqual([1, 1, 0, 1, 1]);
  });

  it('centres and scales each sample (sample) or z-scores each channel (channel)', () => {
    const t = traj([
      [10, 100],
      [12, 100],
      [14, 104],
      [16, 104],
    ]);
    const a = preprocessTrajectory(t, pre({ length: 4, deltas: false, pen: false }), 'a');
    const b = preprocessTrajectory(
      traj(
        [
          [0, 0],
          [20, 0],
          [40, 40],
          [60, 40],
        ].map(([x, y]) => [x! * 0.1, y! * 0.1]),
      ),
      pre({ length: 4, deltas: false, pen: false }),
      'b',
    );
    // position and size do not matter: the same shape, shifted and scaled, decodes alike
    expect(Array.from(a).map((v) => +v.toFixed(5))).toEqual(Array.from(b).map((v) => +v.toFixed(5)));
    const rms = Math.sqrt(Array.from(a).reduce((s, v) => s + v * v, 0) / 4);
    expect(rms).toBeCloseTo(1, 5);
    const z = preprocessTrajectory(
      t,
      pre({ length: 4, normalize: 'channel', deltas: false, pen: false, resample: 'index' }),
      'z',
    );
    const xs = [z[0]!, z[2]!, z[4]!, z[6]!];
    expect(xs.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 5);
    expect(Math.sqrt(xs.reduce((s, v) => s + v * v, 0) / 4)).toBeCloseTo(1, 5);
  });

  it('adds deltas, pen, direction and curvature channels in that order', () => {
    const t = traj([
      [0, 0],
      [1, 0],
      [2, 0],
      [2, 1],
    ]);
    const p = pre({ length: 4, resample: 'index', normalize: 'none', direction: true, curvature: true });
    const out = preprocessTrajectory(t, p, 'f');
    const F = featureCount(p);
    const row = (i: number) => Array.from(out.slice(i * F, (i + 1) * F)).map((v) => +v.toFixed(4));
    // x, y, dx*L, dy*L, pen, cos, sin, turn/pi
    expect(row(0)).toEqual([0, 0, 0, 0, 1, 1, 0, 0]);
    expect(row(1)).toEqual([1, 0, 4, 0, 1, 1, 0, 0]);
    expect(row(3)).toEqual([2, 1, 0, 4, 1, 0, 1, 0.25]);
  });

  it('refuses a file with another number of channels, naming it', () => {
    expect(() =>
      preprocessTrajectory(
        traj([
          [0, 0, 0],
          [1, 1, 1],
        ]),
        pre(),
        'three.csv',
      ),
    ).toThrow(DataError);
    expect(() =>
      preprocessTrajectory(
        traj([
          [0, 0, 0],
          [1, 1, 1],
        ]),
        pre(),
        'three.csv',
      ),
    ).toThrow(/^three\.csv has 3 value channels per point, expected 2/);
  });
});
