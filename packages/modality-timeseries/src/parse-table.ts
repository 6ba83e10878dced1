import { DataError } from '@fewshot/core/plugin';
import { TrajectoryBuilder, parseNumber, type Trajectory } from './trajectory.js';

/** How the columns of a table (or the entries of a JSON row) are read. */
export interface ColumnSettings {
  /** `auto`: a header cell named t, time, t_ms, time_ms, ms, timestamp, seconds, sec or time_s; `none`; a header name; or `#N` (1-based). */
  readonly timeColumn: string;
  /** `auto`: a header cell named stroke, stroke_id or pen; `none`; a header name; or `#N`. A change of its value starts a new stroke. */
  readonly strokeColumn: string;
}

const TIME_NAMES = ['t', 'time', 't_ms', 'time_ms', 'ms', 'timestamp', 'seconds', 'sec', 'time_s'];
const STROKE_NAMES = ['stroke', 'stroke_id', 'pen'];

/** The column index chosen by `setting` (undefined: none), given the header (undefined: none). */
function pickColumn(
  setting: string,
  header: readonly string[] | undefined,
  auto: readonly string[],
  what: string,
  source: string,
  width: number,
): number | undefined {
  if (setting === 'none') return undefined;
  if (setting === 'auto') {
    if (!header) return undefined;
    const i = header.findIndex((h) => auto.includes(h.trim().toLowerCase()));
    return i >= 0 ? i : undefined;
  }
  const m = /^#(\d+)$/.exec(setting);
  if (m) {
    const i = Number(m[1]) - 1;
    if (i < 0 || i >= width)
      throw new DataError(`${source}: the ${what} column ${setting} does not exist (the rows have ${width} columns)`);
    return i;
  }
  const i = header ? header.findIndex((h) => h.trim() === setting) : -1;
  if (i < 0) {
    throw new DataError(
      `${source}: no ${what} column '${setting}'${header ? ` (header: ${header.join(', ')})` : ' (the file has no header row)'}`,
      {
        hints: [`data.preprocess.${what}Column: a header name, #N (1-based column), auto or none`],
      },
    );
  }
  return i;
}

/** The cell separator of a table: tab, comma, semicolon, or runs of spaces, from its first data line. */
function separatorOf(line: string): RegExp {
  if (line.includes('\t')) return /\t/;
  if (line.includes(',')) return /,/;
  if (line.includes(';')) return /;/;
  return /\s+/;
}

/**
 * One time series from a CSV or TSV table: one row per point, one column per channel, an optional
 * header row (detected: a first row with a cell that is not a number), optional time and stroke columns
 * (see {@link ColumnSettings}). A blank line also ends a stroke; lines starting with `#` are comments.
 * A DataError names the file and line of a ragged row or a cell that is not a number, and an empty file.
 */
export function parseTable(text: string, source: string, columns: ColumnSettings): Trajectory {
  const lines = text.split(/\r?\n/);
  const b = new TrajectoryBuilder(source);
  let sep: RegExp | undefined;
  let header: string[] | undefined;
  let timeCol: number | undefined;
  let strokeCol: number | undefined;
  let width = -1;
  let lastStroke: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith('#')) continue;
    if (line === '') {
      if (width >= 0) b.breakStroke();
      continue;
    }
    sep ??= separatorOf(line);
    const cells = line.split(sep);
    const nums = cells.map(parseNumber);
    if (width < 0) {
      width = cells.length;
      if (nums.some((v) => v === undefined)) {
        header = cells.map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
        timeCol = pickColumn(columns.timeColumn, header, TIME_NAMES, 'time', source, width);
        strokeCol = pickColumn(columns.strokeColumn, header, STROKE_NAMES, 'stroke', source, width);
        continue;
      }
      timeCol = pickColumn(columns.timeColumn, undefined, TIME_NAMES, 'time', source, width);
      strokeCol = pickColumn(columns.strokeColumn, undefined, STROKE_NAMES, 'stroke', source, width);
    }
    if (cells.length !== width) {
      throw new DataError(
        `${source}: line ${i + 1} has ${cells.length} cells, ${header ? 'the header' : 'the first row'} ${width} (ragged rows)`,
      );
    }
    const bad = nums.findIndex((v) => v === undefined);
    if (bad >= 0) {
      throw new DataError(
        `${source}: line ${i + 1}, column ${header ? `'${header[bad]}'` : bad + 1}: '${cells[bad]!.trim().slice(0, 40)}' is not a number`,
      );
    }
    if (strokeCol !== undefined) {
      const s = nums[strokeCol]!;
      if (lastStroke !== undefined && s !== lastStroke) b.breakStroke();
      lastStroke = s;
    }
    const values = (nums as number[]).filter((_, c) => c !== timeCol && c !== strokeCol);
    b.add(values, timeCol === undefined ? undefined : nums[timeCol], `line ${i + 1}`);
  }
  if (width < 0) throw new DataError(`${source}: empty file (no rows)`);
  if (b.isEmpty()) throw new DataError(`${source}: a header row and no data rows (an empty time series)`);
  return b.build();
}

/**
 * One time series from JSON: an array of points (each an array of numbers, one per column, or a single
 * number for a one-channel series), or an array of strokes (each an array of points). Time and stroke
 * columns are chosen by `#N` (JSON rows have no header). A DataError names the file and the point of a
 * ragged row or a value that is not a number.
 */
export function parseJsonSeries(text: string, source: string, columns: ColumnSettings): Trajectory {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new DataError(`${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!Array.isArray(data))
    throw new DataError(
      `${source}: expected a JSON array of points (or of strokes), got ${data === null ? 'null' : typeof data}`,
    );
  if (data.length === 0) throw new DataError(`${source}: no data points (an empty array)`);
  const strokes: unknown[][] =
    Array.isArray(data[0]) && Array.isArray((data[0] as unknown[])[0]) ? (data as unknown[][]) : [data];
  const b = new TrajectoryBuilder(source);
  let timeCol: number | undefined;
  let strokeCol: number | undefined;
  let lastStroke: number | undefined;
  let resolved = false;
  strokes.forEach((stroke, s) => {
    if (!Array.isArray(stroke)) throw new DataError(`${source}: stroke ${s + 1} is not an array of points`);
    b.breakStroke();
    stroke.forEach((p, k) => {
      const where = strokes.length > 1 ? `stroke ${s + 1}, point ${k + 1}` : `point ${k + 1}`;
      const row = typeof p === 'number' ? [p] : p;
      if (!Array.isArray(row)) throw new DataError(`${source}: ${where} is not a number or an array of numbers`);
      const bad = row.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
      if (bad >= 0)
        throw new DataError(
          `${source}: ${where}, value ${bad + 1}: ${JSON.stringify(row[bad])?.slice(0, 40)} is not a number`,
        );
      const nums = row as number[];
      if (!resolved) {
        timeCol = pickColumn(columns.timeColumn, undefined, TIME_NAMES, 'time', source, nums.length);
        strokeCol = pickColumn(columns.strokeColumn, undefined, STROKE_NAMES, 'stroke', source, nums.length);
        resolved = true;
      }
      if (strokeCol !== undefined && strokeCol < nums.length) {
        if (lastStroke !== undefined && nums[strokeCol] !== lastStroke) b.breakStroke();
        lastStroke = nums[strokeCol];
      }
      b.add(
        nums.filter((_, c) => c !== timeCol && c !== strokeCol),
        timeCol === undefined ? undefined : nums[timeCol],
        where,
      );
    });
  });
  return b.build();
}
