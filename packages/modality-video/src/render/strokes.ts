import { DataError } from '@fewshot/core/plugin';

/** One pen point: Omniglot motor coordinates (x right, y up; image space is (x, -y)) and time in ms. */
export interface PenPoint {
  readonly x: number;
  readonly y: number;
  readonly t: number;
}

/** One pen-down trajectory. */
export type Stroke = readonly PenPoint[];

/**
 * Parse an Omniglot stroke file: `START`, then strokes of `x,y,t_ms` lines separated by `BREAK`
 * (the last one usually ends with `BREAK` too). Empty strokes are dropped. Throws DataError naming
 * `source` and the line for anything else, and for a file without a single point.
 */
export function parseStrokeText(text: string, source: string): Stroke[] {
  const strokes: Stroke[] = [];
  let current: PenPoint[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line === 'START') return;
    if (line === 'BREAK') {
      if (current.length > 0) strokes.push(current);
      current = [];
      return;
    }
    const parts = line.split(',');
    const [x, y, t] = parts.map(Number);
    if (parts.length !== 3 || !Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(t)) {
      throw new DataError(`${source}:${i + 1}: expected 'x,y,t_ms', START or BREAK, got '${line.slice(0, 60)}'`);
    }
    current.push({ x: x!, y: y!, t: t! });
  });
  if (current.length > 0) strokes.push(current);
  if (strokes.length === 0)
    throw new DataError(`${source}: no pen points (an Omniglot stroke file has START, 'x,y,t_ms' lines and BREAK)`);
  return strokes;
}

/**
 * The drawing on the video's clock: the first point at 0, each stroke keeping its recorded pen times
 * (relative to its first point; out-of-order times clamped to be non-decreasing), and every pause
 * between two strokes (pen up) set to `pauseMs`, so that long hesitations do not fill the clip. (The
 * shared set does exactly this: its frame counts match on all 300 drawings checked.)
 */
export function videoTimeline(strokes: readonly Stroke[], pauseMs: number): Stroke[] {
  const out: Stroke[] = [];
  let start = 0;
  for (const s of strokes) {
    if (s.length === 0) continue;
    const t0 = s[0]!.t;
    let last = start;
    out.push(
      s.map((p) => {
        last = Math.max(last, start + p.t - t0);
        return { x: p.x, y: p.y, t: last };
      }),
    );
    start = last + pauseMs;
  }
  return out;
}

/** Time (ms) of the last point of a timeline. */
export function endTime(timeline: readonly Stroke[]): number {
  let end = 0;
  for (const s of timeline) for (const p of s) end = Math.max(end, p.t);
  return end;
}
