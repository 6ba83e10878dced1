import { ConfigError } from './errors.js';
import { sampleShape } from './modality.js';
import { dtwDistance, dtwFrames } from './dtw.js';

describe('dtwDistance over the time axis of a sample shape', () => {
  it('takes every other axis of a time step as its frame', () => {
    // 2 time steps of 2x1 frames: the frame distance is Euclidean over both values
    const shape = sampleShape([1, 2, 1], ['time', 'features', 'channels']);
    expect(dtwDistance(Float32Array.of(0, 0), Float32Array.of(3, 4), shape)).toBeCloseTo(5, 12);
    const seq = sampleShape([3, 1], ['time', 'channels']);
    expect(dtwDistance(Float32Array.of(0, 1, 2), Float32Array.of(0, 1, 2), seq)).toBe(0);
    expect(dtwDistance(Float32Array.of(0, 1, 2), Float32Array.of(0, 2, 2), seq)).toBeCloseTo(
      dtwFrames(Float32Array.of(0, 1, 2), Float32Array.of(0, 2, 2), 1),
      12,
    );
  });

  it('is symmetric and honours the band', () => {
    const shape = sampleShape([8, 1], ['time', 'channels']);
    const a = Float32Array.from([0, 9, 0, 0, 0, 0, 0, 0]);
    const b = Float32Array.from([0, 0, 0, 0, 0, 0, 9, 0]);
    expect(dtwDistance(a, b, shape)).toBe(0);
    expect(dtwDistance(a, b, shape, 1)).toBeGreaterThan(1);
    expect(dtwDistance(a, b, shape, 1)).toBe(dtwDistance(b, a, shape, 1));
  });

  it('refuses a shape without a leading time axis', () => {
    const image = sampleShape([2, 2, 1], ['height', 'width', 'channels']);
    expect(() => dtwDistance(new Float32Array(4), new Float32Array(4), image)).toThrow(ConfigError);
    expect(() => dtwDistance(new Float32Array(4), new Float32Array(4), image)).toThrow(
      /first axis is 'time'.*2x2x1 \(height, width, channels\)/,
    );
  });
});
