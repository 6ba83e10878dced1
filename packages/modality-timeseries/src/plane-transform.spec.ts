import { LabeledSet, SampleStore, sampleShape } from '@fewshot/core/plugin';
import { mapPlane, transformClasses } from './plane-transform.js';
import { featureCount, timeseriesPreprocessSchema } from './timeseries-preprocess.js';

const pre = timeseriesPreprocessSchema.parse({ length: 2, direction: true, curvature: true });
const F = featureCount(pre); // x, y, dx, dy, pen, cos, sin, curvature

describe('mapPlane', () => {
  it('turns values, deltas and direction alike, keeps the pen, flips curvature under a mirror', () => {
    const s = Float32Array.of(1, 0, 2, 0, 1, 1, 0, 0.25, /* step 2 */ 0, 1, 0, 3, 0, 0, 1, -0.5);
    const turned = s.slice();
    mapPlane(turned, pre, [0, -1, 1, 0]); // a quarter turn counter-clockwise
    expect(Array.from(turned).map((v) => +v.toFixed(6))).toEqual([
      0, 1, 0, 2, 1, 0, 1, 0.25, -1, 0, -3, 0, 0, -1, 0, -0.5,
    ]);
    const mirrored = s.slice();
    mapPlane(mirrored, pre, [-1, 0, 0, 1]);
    expect(Array.from(mirrored.subarray(0, F)).map((v) => +v.toFixed(6))).toEqual([-1, 0, -2, 0, 1, -1, 0, -0.25]);
  });
});

describe('transformClasses', () => {
  it('adds each transform of every class as a class of its own, keeping the source rows', () => {
    const shape = sampleShape([2, F], ['time', 'channels']);
    const rows = Float32Array.from({ length: 2 * 2 * F }, (_, i) => (i % F === 4 ? 1 : i / 10));
    const set = new LabeledSet(
      [
        { id: 'a/1', path: '/a/1.csv', label: 'a' },
        { id: 'b/1', path: '/b/1.csv', label: 'b' },
      ],
      'toy',
    );
    const train = { set, store: new SampleStore(shape, rows), skipped: [] };
    expect(transformClasses(train, pre, [])).toBe(train);
    const out = transformClasses(train, pre, ['rot180', 'mirror']);
    expect(out.set.classes).toEqual(['a', 'a@mirror', 'a@rot180', 'b', 'b@mirror', 'b@rot180']);
    const row = (label: string) => out.store.row(out.set.samples.findIndex((s) => s.label === label));
    expect(Array.from(row('a'))).toEqual(Array.from(rows.subarray(0, 2 * F)));
    const rot = row('a@rot180');
    expect(rot[1]).toBeCloseTo(-rows[1]!, 6);
    expect(rot[4]).toBe(1);
    expect(out.set.samples.find((s) => s.label === 'b@mirror')!.attrs).toEqual({ transform: 'mirror' });
  });
});
