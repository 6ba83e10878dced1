import { LastFramePixelBaseline } from './last-frame-baseline.js';

describe('LastFramePixelBaseline', () => {
  const b = new LastFramePixelBaseline();
  it('is the Euclidean distance between the last frames only', () => {
    const shape = [3 * 2, 2, 1] as const; // 3 frames of 2x2
    const a = Float32Array.from([9, 9, 9, 9, 5, 5, 5, 5, 0, 0, 0, 0]);
    const c = Float32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 4, 0]);
    expect(b.distance(a, c, shape)).toBe(5);
    expect(b.distance(c, a, shape)).toBe(5);
    expect(b.distance(a, a, shape)).toBe(0);
    expect(b.modalities).toEqual(['video']);
    expect(() => b.distance(a, c.subarray(0, 8), shape)).toThrow(RangeError);
  });
});
