import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cellsOf, fewshot, naiveMethod, OMNIGLOT_MODEL, outcome, resultsOf, writeBench } from './bench-fixtures.js';

// `fewshot bench` as separate processes on real Omniglot data: a run killed with SIGKILL resumes
// without redoing finished cells and ends as a clean run does; a changed method reruns only its cells.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-resume-'));
const cache = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fewshot bench resume', () => {
  it('skips the cells a SIGKILLed run finished, and ends with the results of a clean run', async () => {
    const bench = writeBench(path.join(tmp, 'kill.yaml'), {
      methods: `  shipped: { model: ${OMNIGLOT_MODEL}, tta: false }\n  pixel: { baseline: pixel }`,
      cells: '  - { methods: [shipped, pixel], task: omni, source: omniglot-background, target: omniglot-evaluation }',
      episodes: 60,
    });
    const dir = path.join(tmp, 'killed');
    const killed = await fewshot(['bench', bench, '--out', dir], { cache, killWhen: /^cell 2\/8/m });
    expect(killed.signal).toBe('SIGKILL');
    expect(existsSync(path.join(dir, 'results.json'))).toBe(false);
    const before = cellsOf(dir);
    expect(before.size).toBeGreaterThanOrEqual(2);
    expect(before.size).toBeLessThan(8);

    const resumed = await fewshot(['bench', bench, '--out', dir], { cache });
    expect(resumed.err).toContain(`8 cells, ${before.size} done, ${8 - before.size} to run`);
    expect(resumed.code).toBe(0);
    const after = cellsOf(dir);
    expect(after.size).toBe(8);
    for (const [key, cell] of before) expect(after.get(key)!.finishedAt).toBe(cell.finishedAt); // not redone

    const clean = path.join(tmp, 'clean');
    expect((await fewshot(['bench', bench, '--out', clean, '--quiet'], { cache })).code).toBe(0);
    const a = resultsOf(dir);
    const b = resultsOf(clean);
    expect(a.cells.map(outcome)).toEqual(b.cells.map(outcome));
    expect(a.comparisons).toEqual(b.comparisons);
    expect(a.cells.map((c) => c.id)).toEqual([
      'shipped@omni/5way-1shot',
      'shipped@omni/5way-5shot',
      'shipped@omni/10way-1shot',
      'shipped@omni/10way-5shot',
      'pixel@omni/5way-1shot',
      'pixel@omni/5way-5shot',
      'pixel@omni/10way-1shot',
      'pixel@omni/10way-5shot',
    ]);
  });

  it('reruns only the cells of a method whose config changed, and trains its model once', async () => {
    const cells =
      '  - { method: naive, task: omni, source: omniglot-background, target: omniglot-evaluation }\n  - { method: pixel, task: omni, source: none, target: omniglot-evaluation }';
    const file = path.join(tmp, 'change.yaml');
    const dir = path.join(tmp, 'change');
    writeBench(file, {
      methods: `${naiveMethod('naive', 5)}\n  pixel: { baseline: pixel }`,
      cells,
      ways: '5',
      episodes: 40,
    });
    const first = await fewshot(['bench', file, '--out', dir], { cache });
    expect(first.code).toBe(0);
    expect(first.err.match(/^training naive/gm)).toHaveLength(1); // one model for both grid points
    const old = cellsOf(dir);
    expect(old.size).toBe(4);

    writeBench(file, {
      methods: `${naiveMethod('naive', 6)}\n  pixel: { baseline: pixel }`,
      cells,
      ways: '5',
      episodes: 40,
    });
    const dry = await fewshot(['bench', file, '--out', dir, '--dry-run'], { cache });
    expect(
      dry.out
        .split('\n')
        .filter((l) => l.startsWith('todo'))
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['naive@omni/5way-1shot', 'naive@omni/5way-5shot']);
    expect(
      dry.out
        .split('\n')
        .filter((l) => l.startsWith('done'))
        .map((l) => l.split(/\s+/)[1]),
    ).toEqual(['pixel@omni/5way-1shot', 'pixel@omni/5way-5shot']);

    const second = await fewshot(['bench', file, '--out', dir], { cache });
    expect(second.code).toBe(0);
    expect(second.err).toContain('4 cells, 2 done, 2 to run');
    const now = cellsOf(dir);
    const results = resultsOf(dir);
    expect(results.cells).toHaveLength(4);
    for (const c of results.cells) {
      const before = [...old.values()].find((o) => o.id === c.id)!;
      if (c.id.startsWith('pixel')) expect(now.get(c.key)!.finishedAt).toBe(before.finishedAt);
      else expect(c.key).not.toBe(before.key);
    }
  });
});
