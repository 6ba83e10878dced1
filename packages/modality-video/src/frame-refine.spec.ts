import { framesToSample, type RawFrames } from './decode-clip.js';
import { cropFrame, decodeSide, refinedSample, refines, thickenFrame } from './frame-refine.js';
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
});
