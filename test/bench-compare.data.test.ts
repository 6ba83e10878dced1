import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fewshot, writeBench } from './bench-fixtures.js';

// `fewshot bench compare OLD NEW --max-drop PTS` as a regression gate: exit 0 without a drop,
// 1 when a cell drops more than PTS points (paired over the same episodes).

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-compare-'));
const cache = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fewshot bench compare', () => {
  it('passes the same results, and fails a cell that dropped more than allowed', async () => {
    const bench = writeBench(path.join(tmp, 'c.yaml'), {
      methods: '  pixel: { baseline: pixel }',
      cells: '  - { method: pixel, task: omni, source: none, target: omniglot-evaluation }',
      ways: '5',
      shots: '[1, 5]',
      episodes: 50,
    });
    const old = path.join(tmp, 'old');
    expect((await fewshot(['bench', bench, '--out', old, '--quiet'], { cache })).code).toBe(0);

    const same = await fewshot(['bench', 'compare', old, old, '--max-drop', '0'], { cache });
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/pixel@omni\/5way-1shot: .* \(\+0\.0 ± 0\.0 points, paired\)/);

    // a "new" run in which one cell lost 10 episodes' worth of correct answers
    const worse = path.join(tmp, 'new');
    cpSync(old, worse, { recursive: true });
    const file = path.join(worse, 'results.json');
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const cell = r.cells[1];
    for (let e = 0; e < 10; e++) cell.perEpisodeCorrect[e] = 0;
    cell.accuracy =
      cell.perEpisodeCorrect.reduce((a: number, b: number) => a + b, 0) / (cell.episodes * cell.ways * cell.queries);
    writeFileSync(file, JSON.stringify(r));
    const oldCell = JSON.parse(readFileSync(path.join(old, 'results.json'), 'utf8')).cells[1];
    const points = (oldCell.accuracy - cell.accuracy) * 100;
    expect(points).toBeGreaterThan(5);

    const gate = await fewshot(['bench', 'compare', old, worse, '--max-drop', String(Math.floor(points) - 1)], {
      cache,
    });
    expect(gate.code).toBe(1);
    expect(gate.out).toMatch(/^DROP {2}pixel@omni\/5way-5shot/m);
    expect(gate.err).toMatch(/Regression: 1 cell dropped more than/);
    const loose = await fewshot(['bench', 'compare', old, worse, '--max-drop', String(Math.ceil(points) + 1)], {
      cache,
    });
    expect(loose.code).toBe(0);
  });
});
