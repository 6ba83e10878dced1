import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, fewshot, naiveMethod, OMNIGLOT_MODEL, outcome, resultsOf, writeBench } from './bench-fixtures.js';
import { REPO_ROOT, requireData, SHARED_DATA } from './shared-data.js';

// The documented Slurm path, for real: a single-node Slurm cluster on this machine
// (deploy/slurm/local-cluster.sh: munged, slurmctld, slurmd as root, 127.0.0.1), the bench of the
// shard test submitted with deploy/slurm/bench-array.sh as a 3-task job array, merged by a job that
// waits for the array (as docs/scale-out.md says), gives the results of a single process.
// Needs Debian's slurm-wlm and munge (installed by .ci/run); fails, not skips, without them.

const LOCAL_CLUSTER = path.join(REPO_ROOT, 'deploy/slurm/local-cluster.sh');
const ARRAY_SCRIPT = path.join(REPO_ROOT, 'deploy/slurm/bench-array.sh');
const WAIT_MS = 300_000;

function requireSlurm(): void {
  const missing = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue'].filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0,
  );
  if (missing.length > 0)
    throw new Error(`Slurm tools missing (${missing.join(', ')}): run .ci/run, or apt-get install -y slurm-wlm munge`);
  if (process.getuid?.() !== 0) throw new Error('the single-node Slurm cluster of this test runs its daemons as root');
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-slurm-'));
const cluster = path.join(tmp, 'slurm');
const out = path.join(tmp, 'out');
const logs = path.join(tmp, 'logs');
// ports of its own (two runs of this test at once must not meet), on 127.0.0.1
const env = {
  ...process.env,
  SLURM_CONF: path.join(cluster, 'slurm.conf'),
  SLURM_LOCAL_PORT: String(20000 + (process.pid % 5000) * 2),
};

afterAll(() => {
  // always stop the daemons, also when starting them or a job failed
  spawnSync(LOCAL_CLUSTER, ['stop', cluster], { stdio: 'ignore' });
  rmSync(tmp, { recursive: true, force: true });
});

/** Wait (bounded) until Slurm no longer lists the jobs. */
async function waitForJobs(ids: readonly string[]): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (Date.now() < end) {
    const q = spawnSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], { env, encoding: 'utf8' });
    if (q.status === 0 && q.stdout.trim() === '') return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`Slurm jobs ${ids.join(', ')} still queued or running after ${WAIT_MS / 1000} s\n${logText()}`);
}

function logText(): string {
  if (!existsSync(logs)) return '(no job logs)';
  return readdirSync(logs)
    .map((f) => `--- ${f}\n${readFileSync(path.join(logs, f), 'utf8').slice(-3000)}`)
    .join('\n');
}

describe('fewshot bench on a Slurm job array', () => {
  it(
    '3 array tasks of deploy/slurm/bench-array.sh, merged by a dependent job, give the results of one process',
    async () => {
      requireSlurm();
      requireData(SHARED_DATA);
      const bench = writeBench(path.join(tmp, 'shards.yaml'), {
        methods: `  shipped: { model: ${OMNIGLOT_MODEL}, tta: false }\n${naiveMethod('naive')}\n  pixel: { baseline: pixel }`,
        cells:
          '  - { methods: [shipped, naive], tasks: [omni, lake], source: omniglot-background, target: omniglot-evaluation }\n  - { method: pixel, tasks: [omni, lake], source: none, target: omniglot-evaluation }',
        ways: '[5, 10]',
        shots: '1',
        episodes: 40,
        lake: true,
      });
      execFileSync(LOCAL_CLUSTER, ['start', cluster], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      mkdirSync(logs); // Slurm fails a job whose --output folder is missing

      const jobEnv = {
        ...env,
        BENCH: bench,
        OUT: out,
        FEWSHOT: `${process.execPath} ${BIN}`,
        FEWSHOT_DATA: SHARED_DATA,
        FEWSHOT_CACHE: path.join(tmp, 'cache-slurm'),
      };
      const sbatch = (args: string[]): string =>
        execFileSync('sbatch', ['--parsable', `--chdir=${REPO_ROOT}`, ...args], { env: jobEnv, encoding: 'utf8' })
          .trim()
          .split(';')[0]!;
      const started = Date.now();
      const array = sbatch(['--array=0-2', `--output=${logs}/bench-%A_%a.out`, ARRAY_SCRIPT]);
      // the merge as docs/scale-out.md gives it (FEWSHOT in place of an installed `fewshot`)
      const merge = sbatch([
        `--dependency=afterok:${array}`,
        '--kill-on-invalid-dep=yes',
        `--output=${logs}/merge-%j.out`,
        '--wrap',
        '$FEWSHOT bench merge "$OUT"/shard-* --out "$OUT/merged"',
      ]);
      // meanwhile, the same bench in one process, as the reference
      const single = await fewshot(['bench', bench, '--out', path.join(tmp, 'single'), '--quiet'], {
        cache: path.join(tmp, 'cache-single'),
      });
      expect(single.code).toBe(0);
      await waitForJobs([array, merge]);
      const seconds = (Date.now() - started) / 1000;

      for (const i of [0, 1, 2]) {
        if (!existsSync(path.join(out, `shard-${i}`, 'results.json')))
          throw new Error(`shard ${i} wrote no results.json\n${logText()}`);
        expect(JSON.parse(readFileSync(path.join(out, `shard-${i}`, 'results.json'), 'utf8')).shard).toEqual({
          index: i,
          count: 3,
        });
      }
      if (!existsSync(path.join(out, 'merged', 'results.json')))
        throw new Error(`the merge job wrote no results\n${logText()}`);
      const a = resultsOf(path.join(out, 'merged'));
      const b = resultsOf(path.join(tmp, 'single'));
      expect(a.cells).toHaveLength(9);
      expect(a.cells.map(outcome)).toEqual(b.cells.map(outcome));
      expect(a.comparisons).toEqual(b.comparisons);
      expect(a.tasks).toEqual(b.tasks);
      expect(a).not.toHaveProperty('shard');
      expect(seconds).toBeLessThan(WAIT_MS / 1000);
    },
    WAIT_MS + 120_000,
  );
});
