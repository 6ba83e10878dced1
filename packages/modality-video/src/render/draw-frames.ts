import type { Stroke } from './strokes.js';

/** How a drawing becomes frames (the shared omniglot-drawing-videos set uses the defaults). */
export interface DrawOptions {
  /** Side of the square frame in pixels (default 112). */
  readonly size: number;
  /** Frames per second (default 25). */
  readonly fps: number;
  /** Ink width in pixels at size 112 (default 3): pixels within ink / 2 of the pen path (see `stampSegment`). */
  readonly ink: number;
  /** Every pause between strokes is set to this (ms, default 150); see `videoTimeline`. */
  readonly pauseMs: number;
  /** How long the finished character stays on screen (ms, default 500). */
  readonly holdMs: number;
}

export const DEFAULT_DRAW_OPTIONS: DrawOptions = { size: 112, fps: 25, ink: 3, pauseMs: 150, holdMs: 500 };

/** Omniglot images are 105x105; at size 112 a drawing is centred with (112 - 105) / 2 pixels around it. */
const OMNIGLOT_SIDE = 105;
const REFERENCE_SIZE = 112;

/**
 * Number of frames of a drawing whose last point is at `endMs` on the video clock: frame i shows time
 * i / fps, the first frame showing the whole drawing is floor(end / frame) and it is held for
 * floor(hold / frame) more frames (as the shared set: 2.0 s of drawing -> 50 + 1 + 12 = 63 frames).
 */
export function frameCount(endMs: number, o: Pick<DrawOptions, 'fps' | 'holdMs'>): number {
  const frameMs = 1000 / o.fps;
  return Math.floor(endMs / frameMs + 1e-9) + 1 + Math.floor(o.holdMs / frameMs + 1e-9);
}

/**
 * Render a timeline (see `videoTimeline`) to grey frames, black ink on white: frame i shows every
 * point with t <= i / fps, consecutive shown points of a stroke joined by a straight line, a lone first
 * point as a dot. Pen point (x, y) lands on pixel floor((x + 3.5) * k), floor((-y + 3.5) * k) with
 * k = size / 112 (the 105x105 Omniglot frame centred in 112x112), and the ink is every pixel within
 * ink / 2 * k of the path between such pixels, with dots of radius (ink - 1) / 2 * k at the points. Returns `count` frames of size x size bytes, one
 * after the other.
 */
export function drawFrames(
  timeline: readonly Stroke[],
  endMs: number,
  o: DrawOptions = DEFAULT_DRAW_OPTIONS,
): { count: number; data: Uint8Array } {
  const s = o.size;
  const k = s / REFERENCE_SIZE;
  const pad = (REFERENCE_SIZE - OMNIGLOT_SIDE) / 2;
  const half = (o.ink / 2) * k;
  const dot = ((o.ink - 1) / 2) * k;
  const count = frameCount(endMs, o);
  const frame = s * s;
  const data = new Uint8Array(count * frame);
  const canvas = new Uint8Array(frame).fill(255);
  const px = (x: number): number => Math.floor((x + pad) * k);
  const py = (y: number): number => Math.floor((-y + pad) * k);
  // every stroke's points in time order, drawn as the clock passes them
  const next = timeline.map(() => 0);
  const frameMs = 1000 / o.fps;
  for (let i = 0; i < count; i++) {
    const now = i * frameMs + 1e-6;
    timeline.forEach((stroke, si) => {
      let j = next[si]!;
      while (j < stroke.length && stroke[j]!.t <= now) {
        const p = stroke[j]!;
        if (j === 0) stampSegment(canvas, s, px(p.x), py(p.y), px(p.x), py(p.y), half, dot);
        else {
          const q = stroke[j - 1]!;
          stampSegment(canvas, s, px(q.x), py(q.y), px(p.x), py(p.y), half, dot);
        }
        j++;
      }
      next[si] = j;
    });
    data.set(canvas, i * frame);
  }
  return { count, data };
}

/**
 * Ink one piece of pen path on the integer pixel grid: every pixel (centre at integer coordinates)
 * within `half` of the segment (x0, y0)-(x1, y1) measured perpendicularly (flat ends), plus a round dot
 * of radius `dot` at each end, which joins consecutive pieces and draws a lone point.
 */
export function stampSegment(
  canvas: Uint8Array,
  size: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  half: number,
  dot: number,
): void {
  const reach = Math.ceil(Math.max(half, dot));
  const xmin = Math.max(0, Math.min(x0, x1) - reach);
  const xmax = Math.min(size - 1, Math.max(x0, x1) + reach);
  const ymin = Math.max(0, Math.min(y0, y1) - reach);
  const ymax = Math.min(size - 1, Math.max(y0, y1) + reach);
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const half2 = half * half + 1e-9;
  const dot2 = dot * dot + 1e-9;
  for (let y = ymin; y <= ymax; y++) {
    for (let x = xmin; x <= xmax; x++) {
      const ax = x - x0;
      const ay = y - y0;
      const bx = x - x1;
      const by = y - y1;
      let ink = ax * ax + ay * ay <= dot2 || bx * bx + by * by <= dot2;
      if (!ink && len2 > 0) {
        const t = (ax * dx + ay * dy) / len2;
        if (t >= 0 && t <= 1) {
          const ex = ax - t * dx;
          const ey = ay - t * dy;
          ink = ex * ex + ey * ey <= half2;
        }
      }
      if (ink) canvas[y * size + x] = 0;
    }
  }
}
