import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, requireData, SHARED_DATA } from './shared-data.js';

// Helpers of the bench tests (test/bench-*.test.ts): bench files over real data, and the CLI run as
// a separate process, as a user (or a Slurm/Kubernetes job) runs it.

export const BIN = path.join(REPO_ROOT, 'packages/core/dist/cli/bin.js');
export const OMNIGLOT_MODEL = path.join(REPO_ROOT, 'models/omniglot');
export const NAIVE_CONFIG = path.join(REPO_ROOT, 'config/omniglot-naive.yaml');

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * Run `fewshot ...args` in a child process with the shared data as FEWSHOT_DATA and a cache of its
 * own. `killWhen`: SIGKILL the child as soon as its stderr matches.
 */
export function fewshot(
  args: readonly string[],
  opts: { cache: string; env?: NodeJS.ProcessEnv; killWhen?: RegExp },
): Promise<Run> {
  requireData(SHARED_DATA);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, FEWSHOT_DATA: SHARED_DATA, FEWSHOT_CACHE: opts.cache, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += String(d)));
    child.stderr.on('data', (d: Buffer) => {
      err += String(d);
      if (opts.killWhen && opts.killWhen.test(err)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** A bench of Omniglot evaluation alphabets (random episodes, a grid) and, optionally, Lake's runs. */
export function writeBench(
  file: string,
  opts: { methods: string; cells: string; ways?: string; shots?: string; episodes?: number; lake?: boolean },
): string {
  writeFileSync(
    file,
    `name: ${path.basename(file, '.yaml')}
seed: 5
backend: wasm
tasks:
  omni:
    modality: image
    root: omniglot
    path: images_evaluation
    include: [Atlantean, Aurek-Besh, Ge_ez]
    preprocess: { size: 28 }
    ways: ${opts.ways ?? '[5, 10]'}
    shots: ${opts.shots ?? '[1, 5]'}
    episodes: ${opts.episodes ?? 60}
${opts.lake ? `  lake:\n    modality: image\n    root: omniglot\n    runs: one-shot-classification\n    preprocess: { size: 28 }\n` : ''}methods:
${opts.methods}
cells:
${opts.cells}
`,
  );
  return file;
}

/** The tiny training run of the naive network used by the bench tests (seconds on Omniglot background). */
export function naiveMethod(name: string, steps = 5): string {
  return `  ${name}:
    experiment: ${NAIVE_CONFIG}
    set: { backend: wasm, train.epochs: 1, train.stepsPerEpoch: ${steps}, train.validation.episodes: 10, data.train.include: [Latin, Greek], data.train.exclude: [], data.validation.include: [Bengali], data.validation.exclude: [] }`;
}

export interface CellFile {
  key: string;
  id: string;
  accuracy: number;
  perEpisodeCorrect: number[];
  finishedAt: string;
  confusions: unknown[];
}

/** The finished cells of an output folder, by key. */
export function cellsOf(dir: string): Map<string, CellFile> {
  const cells = new Map<string, CellFile>();
  for (const f of readdirSync(path.join(dir, 'cells')).filter((n) => n.endsWith('.json'))) {
    const c = JSON.parse(readFileSync(path.join(dir, 'cells', f), 'utf8')) as CellFile;
    cells.set(c.key, c);
  }
  return cells;
}

/** What must be equal between two runs of the same cells: everything but times and dates. */
export function outcome(c: {
  key: string;
  id: string;
  accuracy: number;
  perEpisodeCorrect: number[];
  confusions: unknown[];
}): unknown {
  return {
    key: c.key,
    id: c.id,
    accuracy: c.accuracy,
    perEpisodeCorrect: c.perEpisodeCorrect,
    confusions: c.confusions,
  };
}

/** results.json of an output folder. */
export function resultsOf(dir: string): {
  bench: { hash: string; cellsTotal: number };
  cells: CellFile[];
  comparisons: unknown[];
  tasks: unknown[];
  methods: unknown[];
} {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
}
