import { DEFAULT_DRAW_OPTIONS, drawFrames, frameCount, stampSegment } from './draw-frames.js';
import { videoTimeline } from './strokes.js';

const inkAt = (frame: Uint8Array, size: number): [number, number][] => {
  const out: [number, number][] = [];
  frame.forEach((v, i) => v === 0 && out.push([i % size, Math.floor(i / size)]));
  return out;
};

describe('frameCount', () => {
  it('is the frame that completes the drawing plus floor(hold / frame) held frames', () => {
    expect(frameCount(1992, DEFAULT_DRAW_OPTIONS)).toBe(62); // Latin/character01/0683_01 of the shared set
    expect(frameCount(0, DEFAULT_DRAW_OPTIONS)).toBe(13);
    expect(frameCount(2000, DEFAULT_DRAW_OPTIONS)).toBe(63);
    expect(frameCount(1000, { fps: 10, holdMs: 0 })).toBe(11);
  });
});

describe('stampSegment', () => {
  it('draws a lone point as a plus-shaped dot and a line 3 pixels wide with flat sides', () => {
    const c = new Uint8Array(100).fill(255);
    stampSegment(c, 10, 5, 5, 5, 5, 1.5, 1);
    expect(inkAt(c, 10)).toEqual([
      [5, 4],
      [4, 5],
      [5, 5],
      [6, 5],
      [5, 6],
    ]);
    const h = new Uint8Array(100).fill(255);
    stampSegment(h, 10, 2, 5, 7, 5, 1.5, 1);
    const rows = new Map<number, number>();
    for (const [, y] of inkAt(h, 10)) rows.set(y, (rows.get(y) ?? 0) + 1);
    expect([...rows.entries()].sort()).toEqual([
      [4, 6],
      [5, 8],
      [6, 6],
    ]);
  });

  it('clips at the frame edges', () => {
    const c = new Uint8Array(16).fill(255);
    stampSegment(c, 4, -3, 0, 10, 0, 1.5, 1);
    expect(inkAt(c, 4)).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [3, 0],
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });
});

describe('drawFrames', () => {
  const strokes = videoTimeline(
    [
      [
        { x: 68.75, y: -25.86, t: 0 },
        { x: 68.75, y: -45.86, t: 100 },
      ],
      [{ x: 40, y: -60, t: 900 }],
    ],
    150,
  );

  it('shows the points passed by each frame time, the first one as a dot at floor(x + 3.5), floor(-y + 3.5)', () => {
    const { count, data } = drawFrames(strokes, 250, DEFAULT_DRAW_OPTIONS);
    expect(count).toBe(frameCount(250, DEFAULT_DRAW_OPTIONS));
    const frame = (i: number): Uint8Array => data.subarray(i * 112 * 112, (i + 1) * 112 * 112);
    expect(inkAt(frame(0), 112)).toEqual([
      [72, 28],
      [71, 29],
      [72, 29],
      [73, 29],
      [72, 30],
    ]);
    expect(inkAt(frame(2), 112)).toEqual(inkAt(frame(0), 112)); // 80 ms: the second point (100 ms) not yet
    const line = inkAt(frame(3), 112); // 120 ms: the vertical line down to y = 49
    expect(Math.max(...line.map(([, y]) => y))).toBe(50);
    expect(new Set(line.map(([x]) => x))).toEqual(new Set([71, 72, 73]));
    const last = inkAt(frame(count - 1), 112);
    expect(last).toContainEqual([43, 63]); // the second stroke's dot: floor(40 + 3.5), floor(60 + 3.5)
    expect(inkAt(frame(6), 112)).not.toContainEqual([43, 63]); // 240 ms: the second stroke (250 ms) not yet
    expect(inkAt(frame(7), 112)).toEqual(last); // 280 ms: all of it, then held
  });

  it('scales to other frame sizes', () => {
    const { data } = drawFrames(strokes, 250, { ...DEFAULT_DRAW_OPTIONS, size: 28 });
    expect(data.length % (28 * 28)).toBe(0);
    const first = inkAt(data.subarray(0, 28 * 28), 28);
    expect(first).toContainEqual([18, 7]); // floor(72.25 / 4), floor(29.36 / 4)
  });
});
