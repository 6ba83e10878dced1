import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fewshot, naiveMethod, OMNIGLOT_MODEL, outcome, resultsOf, writeBench } from './bench-fixtures.js';

// Scale-out: 3 shards of a bench run as separate processes and merged give the results of one
// process; the shard comes from --shard, a Slurm job array or a Kubernetes Indexed Job; merge
// refuses gaps, duplicates and other benches.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-shards-'));
const cache = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bench = writeBench(path.join(tmp, 'shards.yaml'), {
  methods: `  shipped: { model: ${OMNIGLOT_MODEL}, tta: false }\n${naiveMethod('naive')}\n  pixel: { baseline: pixel }`,
  cells:
    '  - { methods: [shipped, naive], tasks: [omni, lake], source: omniglot-background, target: omniglot-evaluation }\n  - { method: pixel, tasks: [omni, lake], source: none, target: omniglot-evaluation }',
  ways: '[5, 10]',
  shots: '1',
  episodes: 40,
  lake: true,
});
const shardDirs = [0, 1, 2].map((i) => path.join(tmp, `shard-${i}`));

describe('fewshot bench shards', () => {
  it('3 shards in separate processes, merged, give the results of a single process', async () => {
    const [single, ...shards] = await Promise.all([
      fewshot(['bench', bench, '--out', path.join(tmp, 'single'), '--quiet'], {
        cache: path.join(tmp, 'cache-single'),
      }),
      ...shardDirs.map((d, i) =>
        fewshot(['bench', bench, '--out', d, '--shard', `${i}/3`, '--quiet'], { cache: path.join(tmp, `cache-${i}`) }),
      ),
    ]);
    for (const r of [single!, ...shards]) expect(r.code).toBe(0);
    const sizes = shardDirs.map((d) => resultsOf(d).cells.length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(9);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    // the naive model is trained in one shard only
    expect(shards.filter((r) => /training naive/.test(r.err)).length).toBeLessThanOrEqual(1);

    const merged = await fewshot(['bench', 'merge', ...shardDirs, '--out', path.join(tmp, 'merged')], { cache });
    expect(merged.err).toBe('');
    expect(merged.code).toBe(0);
    const a = resultsOf(path.join(tmp, 'merged'));
    const b = resultsOf(path.join(tmp, 'single'));
    expect(a.cells.map(outcome)).toEqual(b.cells.map(outcome));
    expect(a.comparisons).toEqual(b.comparisons);
    expect(a.tasks).toEqual(b.tasks);
    expect(a.methods).toEqual(b.methods);
    expect(a).not.toHaveProperty('shard');
  });

  it('takes the shard from a Slurm job array or a Kubernetes Indexed Job', async () => {
    const keys = (r: { out: string }) => (JSON.parse(r.out) as { cells: { key: string }[] }).cells.map((c) => c.key);
    const flag = await fewshot(
      ['bench', bench, '--out', path.join(tmp, 'x'), '--dry-run', '--json', '--shard', '1/3'],
      { cache },
    );
    const slurm = await fewshot(['bench', bench, '--out', path.join(tmp, 'x'), '--dry-run', '--json'], {
      cache,
      env: { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3' },
    });
    const k8s = await fewshot(
      ['bench', bench, '--out', path.join(tmp, 'x'), '--dry-run', '--json', '--shard-count', '3'],
      { cache, env: { JOB_COMPLETION_INDEX: '1' } },
    );
    expect(keys(flag).length).toBeGreaterThan(0);
    expect(keys(slurm)).toEqual(keys(flag));
    expect(keys(k8s)).toEqual(keys(flag));
    expect(keys(flag)).toEqual(resultsOf(shardDirs[1]!).cells.map((c) => c.key));
  });

  it('refuses a missing shard, a shard given twice, and the output of another bench', async () => {
    const gap = await fewshot(['bench', 'merge', shardDirs[0]!, shardDirs[2]!, '--out', path.join(tmp, 'm1')], {
      cache,
    });
    expect(gap.code).toBe(1);
    expect(gap.err).toMatch(/shard 1\/3 missing/);
    const twice = await fewshot(['bench', 'merge', ...shardDirs, shardDirs[1]!, '--out', path.join(tmp, 'm2')], {
      cache,
    });
    expect(twice.code).toBe(1);
    expect(twice.err).toMatch(/shard 1\/3 is given twice/);
    const other = writeBench(path.join(tmp, 'other.yaml'), {
      methods: '  pixel: { baseline: pixel }',
      cells: '  - { method: pixel, task: omni, source: none, target: omniglot-evaluation }',
      ways: '5',
      shots: '1',
      episodes: 10,
    });
    expect((await fewshot(['bench', other, '--out', path.join(tmp, 'other'), '--quiet'], { cache })).code).toBe(0);
    const mixed = await fewshot(
      ['bench', 'merge', ...shardDirs, path.join(tmp, 'other'), '--out', path.join(tmp, 'm3')],
      { cache },
    );
    expect(mixed.code).toBe(1);
    expect(mixed.err).toMatch(/is from another bench plan/);
  });
});
