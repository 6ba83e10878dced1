import { compareBenchResults } from './compare-bench.js';
import type { BenchResults } from './results-schema.js';

function results(
  cells: { id: string; task: string; correct: number[]; ci95?: number }[],
  episodesKey: string,
): BenchResults {
  return {
    tasks: [...new Set(cells.map((c) => c.task))].map((id) => ({ id, episodesKey })),
    cells: cells.map((c) => ({
      id: c.id,
      task: c.task,
      ways: 2,
      queries: 1,
      perEpisodeCorrect: c.correct,
      accuracy: c.correct.reduce((a, b) => a + b, 0) / (2 * c.correct.length),
      ci95: c.ci95 ?? 0.1,
    })),
  } as unknown as BenchResults;
}

describe('compareBenchResults', () => {
  const old = results(
    [
      { id: 'm@t', task: 't', correct: [2, 2, 1, 2] },
      { id: 'p@t', task: 't', correct: [1, 1, 1, 1] },
      { id: 'gone@t', task: 't', correct: [1] },
    ],
    'k1',
  );

  it('pairs cells scored on the same episodes and flags drops beyond the allowed points', () => {
    const now = results(
      [
        { id: 'm@t', task: 't', correct: [1, 2, 1, 1] },
        { id: 'p@t', task: 't', correct: [1, 1, 1, 1] },
        { id: 'new@t', task: 't', correct: [2] },
      ],
      'k1',
    );
    const r = compareBenchResults(old, now, 20);
    const m = r.changes.find((c) => c.id === 'm@t')!;
    expect(m).toMatchObject({ paired: true, regressed: true });
    expect(m.difference).toBeCloseTo(-0.25, 12); // 87.5% -> 62.5%
    expect(m.ci95).toBeCloseTo((1.96 * Math.sqrt(1 / 12)) / 2, 12); // sd of (-0.5, 0, 0, -0.5)
    expect(r.changes.find((c) => c.id === 'p@t')).toMatchObject({ difference: 0, ci95: 0, regressed: false });
    expect(r).toMatchObject({ removed: ['gone@t'], added: ['new@t'], regressions: 1, maxDrop: 20 });
    expect(compareBenchResults(old, now, 25).regressions).toBe(0);
    expect(compareBenchResults(old, now).regressions).toBe(0);
  });

  it('falls back to an unpaired difference when the episodes differ', () => {
    const now = results([{ id: 'm@t', task: 't', correct: [1, 2, 1, 1], ci95: 0.2 }], 'k2');
    const m = compareBenchResults(old, now).changes[0]!;
    expect(m.paired).toBe(false);
    expect(m.difference).toBeCloseTo(-0.25, 12);
    expect(m.ci95).toBeCloseTo(Math.hypot(0.1, 0.2), 12);
  });
});
