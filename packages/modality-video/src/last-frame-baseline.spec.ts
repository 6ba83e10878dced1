import { ConfigError, sampleShape } from '@fewshot/core/plugin';
import { LastFramePixelBaseline } from './last-frame-baseline.js';

describe('LastFramePixelBaseline', () => {
  const b = new LastFramePixelBaseline();
  it('is the Euclidean distance between the last frames only', () => {
    const shape = sampleShape([3, 2, 2, 1], ['time', 'height', 'width', 'channels']); // 3 frames of 2x2
    const a = Float32Array.from([9, 9, 9, 9, 5, 5, 5, 5, 0, 0, 0, 0]);
    const c = Float32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 4, 0]);
    expect(b.distance(a, c, shape)).toBe(5);
    expect(b.distance(c, a, shape)).toBe(5);
    expect(b.distance(a, a, shape)).toBe(0);
    expect(b.modalities).toEqual(['video']);
    expect(() => b.distance(a, c.subarray(0, 8), shape)).toThrow(RangeError);
    expect(() => b.distance(a, c, sampleShape([6, 2, 1], ['height', 'width', 'channels']))).toThrow(ConfigError);
  });
});
