import { pairedComparisons, pairedDifference } from './bench-results.js';
import type { BenchCellResult } from './results-schema.js';

const cell = (method: string, task: string, perEpisodeCorrect: number[], ways = 5): BenchCellResult =>
  ({ method, task, ways, queries: 1, perEpisodeCorrect }) as unknown as BenchCellResult;

describe('paired comparisons', () => {
  it('averages per-episode differences of accuracy, with the CI of those differences', () => {
    const d = pairedDifference(cell('a', 't', [5, 4, 3, 5]), cell('b', 't', [4, 4, 2, 3]))!;
    // differences 0.2, 0, 0.2, 0.4: mean 0.2, sd 0.1633, ci 1.96 * 0.1633 / 2
    expect(d.meanDifference).toBeCloseTo(0.2, 12);
    expect(d.ci95).toBeCloseTo((1.96 * Math.sqrt(0.08 / 3)) / 2, 12);
    expect(d.episodes).toBe(4);
    // the same episodes, same result: no difference and no spread
    expect(pairedDifference(cell('a', 't', [1, 2]), cell('b', 't', [1, 2]))).toEqual({
      meanDifference: 0,
      ci95: 0,
      episodes: 2,
    });
    expect(pairedDifference(cell('a', 't', [1, 2]), cell('b', 't', [1, 2, 3]))).toBeUndefined();
  });

  it('compares every two methods of a task and no cells of different tasks', () => {
    const comps = pairedComparisons([
      cell('a', 't1', [5]),
      cell('b', 't1', [4]),
      cell('c', 't1', [3]),
      cell('a', 't2', [1]),
    ]);
    expect(comps.map((c) => [c.task, c.a, c.b, +c.meanDifference.toFixed(3)])).toEqual([
      ['t1', 'a', 'b', 0.2],
      ['t1', 'a', 'c', 0.4],
      ['t1', 'b', 'c', 0.2],
    ]);
  });
});
