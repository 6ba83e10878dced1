import { DataError } from '@fewshot/core/plugin';

/**
 * One recorded time series before preprocessing: `n` points of `channels` values (row-major), the time
 * of each point when the file has one, and the stroke each point belongs to (a pen trajectory's pen-down
 * segments; a time series without strokes is one stroke). Points are in recorded order.
 */
export interface Trajectory {
  readonly channels: number;
  /** n * channels values, point-major. */
  readonly values: Float64Array;
  /** n times (any unit), or undefined when the file has no time column. */
  readonly time?: Float64Array;
  /** n stroke indices, non-decreasing from 0. */
  readonly stroke: Int32Array;
}

/** The number of points of a trajectory. */
export function pointCount(t: Trajectory): number {
  return t.stroke.length;
}

/** Builds a trajectory point by point, checking each row has the same number of channels. */
export class TrajectoryBuilder {
  private readonly values: number[] = [];
  private readonly time: number[] = [];
  private readonly stroke: number[] = [];
  private strokeIndex = 0;
  private pointsInStroke = 0;
  private channels = -1;

  constructor(private readonly source: string) {}

  /** Add one point; `where` (`line 7`) names it in errors. */
  add(values: readonly number[], time: number | undefined, where: string): void {
    if (this.channels < 0) this.channels = values.length;
    else if (values.length !== this.channels) {
      throw new DataError(
        `${this.source}: ${where} has ${values.length} value${values.length === 1 ? '' : 's'}, the rows before it ${this.channels} (ragged rows)`,
        {
          hints: ['every point of a time series needs one value per channel'],
        },
      );
    }
    this.values.push(...values);
    if (time !== undefined) this.time.push(time);
    this.stroke.push(this.strokeIndex);
    this.pointsInStroke++;
  }

  /** Whether no point was added yet. */
  isEmpty(): boolean {
    return this.stroke.length === 0;
  }

  /** End the current stroke (pen up); the next point starts a new one. */
  breakStroke(): void {
    if (this.pointsInStroke > 0) this.strokeIndex++;
    this.pointsInStroke = 0;
  }

  /** The trajectory; a DataError naming the source for one without points or with a single point. */
  build(): Trajectory {
    const n = this.stroke.length;
    if (n === 0) throw new DataError(`${this.source}: no data points (an empty time series)`);
    if (n === 1) throw new DataError(`${this.source}: a single data point; a time series needs at least 2`);
    if (this.channels < 1) throw new DataError(`${this.source}: the rows hold no values`);
    return {
      channels: this.channels,
      values: Float64Array.from(this.values),
      ...(this.time.length === n ? { time: Float64Array.from(this.time) } : {}),
      stroke: Int32Array.from(this.stroke),
    };
  }
}

/** A number cell: decimal or exponent notation, nothing else (`1e3`, `-0.5`, `.5`); undefined otherwise. */
export function parseNumber(cell: string): number | undefined {
  const t = cell.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}
