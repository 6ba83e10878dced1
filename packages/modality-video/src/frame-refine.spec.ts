import { framesToSample, type RawFrames } from './decode-clip.js';
import { cropFrame, decodeSide, inkFit, refinedSample, refines, resampleBox, thickenFrame } from './frame-refine.js';
import { videoPreprocessSchema, type VideoPreprocess } from './video-preprocess.js';

const parse = (v: unknown): VideoPreprocess => videoPreprocessSchema.parse(v);

/** `count` frames of side x side grey bytes, white with the pixels `ink(frame, x, y)` black. */
function frames(count: number, side: number, ink: (i: number, x: number, y: number) => boolean): RawFrames {
  const data = Buffer.alloc(count * side * side, 255);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) if (ink(i, x, y)) data[(i * side + y) * side + x] = 0;
  return { data, count };
}

describe('video preprocess refinements', () => {
  it('leave old settings as they were: no new keys, no refinement', () => {
    const p = parse({ frames: 4, size: 8 });
    expect(Object.keys(p).sort()).toEqual(['channels', 'frames', 'invert', 'normalize', 'sampling', 'size']);
    expect(refines(p)).toBe(false);
    expect(refines(parse({ size: 8, decodeSize: 8 }))).toBe(false);
    expect(refines(parse({ size: 8, crop: 1 }))).toBe(true);
    expect(decodeSide(parse({ size: 8, decodeSize: 32 }))).toBe(32);
  });

  it('refuse a crop that leaves nothing, naming it', () => {
    expect(() => parse({ size: 8, decodeSize: 16, crop: 8 })).toThrow(/crop 8 leaves nothing of a 16-pixel frame/);
  });

  it('thicken grows dark ink by a disk (a plus for radius 1, a square for 1.5), bright ink when not inverted', () => {
    const dot = new Uint8Array(25).fill(255);
    dot[12] = 0;
    const count = (a: Uint8Array, v: number): number => a.filter((x) => x === v).length;
    expect(count(thickenFrame(dot, 5, 1, 1, true), 0)).toBe(5);
    expect(count(thickenFrame(dot, 5, 1, 1.5, true), 0)).toBe(9);
    expect(count(thickenFrame(dot, 5, 1, 1, false), 255)).toBe(25); // white grows over everything
    const corner = new Uint8Array(25).fill(255);
    corner[0] = 0;
    expect(count(thickenFrame(corner, 5, 1, 1.5, true), 0)).toBe(4); // nothing from outside the frame
  });

  it('crop keeps the centre', () => {
    const f = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect([...cropFrame(f, 4, 1, 1)]).toEqual([5, 6, 9, 10]);
  });

  it('decoded at 4x and area-reduced, a frame gives what ffmpeg-free averaging gives; ink grows with thicken', () => {
    // 3 frames of 16x16: a 4-pixel-wide vertical bar growing in height; reduce to 4x4
    const raw = frames(3, 16, (i, x, y) => x >= 4 && x < 8 && y < 4 * (i + 1));
    const p = parse({ frames: 3, size: 4, decodeSize: 16 });
    const s = refinedSample(raw, p);
    expect(s.length).toBe(3 * 16);
    // frame 0: the top-left... bar covers output column 1 of row 0 exactly
    expect(Array.from(s.subarray(0, 4))).toEqual([0, 1, 0, 0]);
    expect(Array.from(s.subarray(4, 8))).toEqual([0, 0, 0, 0]);
    // the last frame: the bar's whole column
    expect(Array.from({ length: 4 }, (_, r) => s[2 * 16 + r * 4 + 1])).toEqual([1, 1, 1, 0]);
    const thick = refinedSample(raw, parse({ frames: 3, size: 4, decodeSize: 16, thicken: 2 }));
    const mass = (a: Float32Array): number => a.reduce((x, y) => x + y, 0);
    expect(mass(thick)).toBeGreaterThan(mass(s) * 1.5);
    // 'last' repeats the last frame; normalize 'none' keeps the 8-bit scale
    const last = refinedSample(raw, parse({ frames: 2, size: 4, decodeSize: 16, sampling: 'last', normalize: 'none' }));
    expect(Array.from(last.subarray(0, 16))).toEqual(Array.from(last.subarray(16)));
    expect(last[1]).toBe(255);
  });

  it('with decodeSize equal to size and nothing else, equals the plain path', () => {
    const raw = frames(5, 8, (i, x, y) => (x + y) % 3 === i % 3);
    const p = parse({ frames: 3, size: 8 });
    expect(Array.from(refinedSample(raw, p))).toEqual(Array.from(framesToSample(raw, p)));
  });

  it('inkRadius centres the ink of the last frame and scales it to that RMS radius, every frame alike', () => {
    // 2 frames of 32x32: a 4x4 block near the top-left corner, then a second block to its right
    const blockA = (x: number, y: number): boolean => x >= 2 && x < 6 && y >= 2 && y < 6;
    const blockB = (x: number, y: number): boolean => x >= 10 && x < 14 && y >= 2 && y < 6;
    const raw = frames(2, 32, (i, x, y) => blockA(x, y) || (i === 1 && blockB(x, y)));
    const p = parse({ frames: 2, size: 16, decodeSize: 32, inkRadius: 4 });
    expect(refines(p)).toBe(true);
    const s = refinedSample(raw, p);
    const moments = (f: Float32Array): { m: number; cx: number; cy: number; r: number } => {
      let m = 0, cx = 0, cy = 0, q = 0; // prettier-ignore
      f.forEach((v, j) => ((m += v), (cx += v * ((j % 16) + 0.5)), (cy += v * (Math.floor(j / 16) + 0.5))));
      cx /= m;
      cy /= m;
      f.forEach((v, j) => (q += v * (((j % 16) + 0.5 - cx) ** 2 + (Math.floor(j / 16) + 0.5 - cy) ** 2)));
      return { m, cx, cy, r: Math.sqrt(q / m) };
    };
    const last = moments(s.subarray(256));
    expect(last.cx).toBeCloseTo(8, 5);
    expect(last.cy).toBeCloseTo(8, 5);
    expect(last.r).toBeGreaterThan(3.8);
    expect(last.r).toBeLessThan(4.4); // box averaging blurs a little
    // the first frame moved and scaled alike: block A sits left of the centre, block B's place empty
    const first = moments(s.subarray(0, 256));
    expect(first.cy).toBeCloseTo(8, 5);
    expect(first.cx).toBeLessThan(5);
    expect(first.m).toBeCloseTo(last.m / 2, 3);
    // 'last' sampling: both frames are the last one, moved the same way
    const both = refinedSample(raw, parse({ frames: 2, size: 16, decodeSize: 32, inkRadius: 4, sampling: 'last' }));
    expect(Array.from(both.subarray(0, 256))).toEqual(Array.from(s.subarray(256)));
  });

  it('inkFit: a clip without ink keeps the plain reduction; resampleBox averages areas exactly', () => {
    const white = new Uint8Array(64).fill(255);
    expect(inkFit(white, 8, 1, true, 3, 4)).toEqual({ cx: 4, cy: 4, s: 2 });
    const f = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
    const boxed = resampleBox(f, 8, 1, true, { cx: 4, cy: 4, s: 2 }, 4);
    const plain = refinedSample(
      { data: Buffer.from(f), count: 1 },
      parse({ frames: 1, size: 4, decodeSize: 8, normalize: 'none', invert: false }),
    );
    boxed.forEach((v, i) => expect(v).toBeCloseTo(plain[i]!, 4));
    // two ink pixels 4 apart (pixel centres): centred between them, RMS radius 2 -> 0.5 source px per output px at radius 4
    const dots = new Uint8Array(64).fill(255);
    dots[3 * 8 + 1] = 0;
    dots[3 * 8 + 5] = 0;
    const fit = inkFit(dots, 8, 1, true, 4, 4);
    expect(fit.cx).toBeCloseTo(3.5, 6);
    expect(fit.cy).toBeCloseTo(3.5, 6);
    expect(fit.s).toBeCloseTo(0.5, 6);
  });
});
