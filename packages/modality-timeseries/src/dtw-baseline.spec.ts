import { dtwDistance, sampleShape } from '@fewshot/core/plugin';
import { TimeseriesDtwBaseline } from './dtw-baseline.js';

describe('timeseries-dtw baseline', () => {
  const shape = sampleShape([6, 2], ['time', 'channels']);
  // the same 2-channel gesture, once drawn slower at the start, and a different one
  const a = Float32Array.of(0, 0, 1, 0, 2, 0, 3, 1, 3, 2, 3, 3);
  const slow = Float32Array.of(0, 0, 0, 0, 1, 0, 2, 0, 3, 1, 3, 3);
  const other = Float32Array.of(0, 3, 1, 2, 2, 1, 3, 0, 3, 0, 3, 0);

  it("is core's dtwDistance over the time axis: symmetric, zero for equal sequences, forgiving a stretch", () => {
    const dtw = new TimeseriesDtwBaseline();
    expect(dtw.id).toBe('timeseries-dtw');
    expect(dtw.modalities).toEqual(['timeseries']);
    expect(dtw.distance(a, slow, shape)).toBe(dtwDistance(a, slow, shape));
    expect(dtw.distance(a, slow, shape)).toBe(dtw.distance(slow, a, shape));
    expect(dtw.distance(a, a, shape)).toBe(0);
    expect(dtw.distance(a, slow, shape)).toBeLessThan(dtw.distance(a, other, shape) / 3);
  });

  it('takes a Sakoe-Chiba band', () => {
    const banded = new TimeseriesDtwBaseline(1);
    expect(banded.id).toBe('timeseries-dtw-band1');
    expect(banded.distance(a, slow, shape)).toBe(dtwDistance(a, slow, shape, 1));
  });
});
