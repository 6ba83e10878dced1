import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable naming the folder of real data sets that data tests read. */
export const TEST_DATA_ENV = 'FEWSHOT_TEST_DATA';

function toPath(from: string | URL): string {
  return from instanceof URL || from.startsWith('file:') ? fileURLToPath(from) : path.resolve(from);
}

/** The workspace root above `dir` (a package.json with `workspaces`), else the nearest package's folder. */
function projectRoot(dir: string): string {
  let nearest: string | undefined;
  for (let d = dir; ; d = path.dirname(d)) {
    const pkg = path.join(d, 'package.json');
    if (existsSync(pkg)) {
      nearest ??= d;
      try {
        if ('workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return d;
      } catch {
        // an unreadable package.json is not a workspace root: keep looking
      }
    }
    if (path.dirname(d) === d) return nearest ?? dir;
  }
}

/**
 * The folder of real data sets for data tests: `$FEWSHOT_TEST_DATA` if set, else `../shared/data` beside
 * the project that holds `from` (pass `import.meta.url`; the project is the workspace root, or the nearest
 * package for a plugin of its own).
 */
export function testDataDir(from: string | URL = process.cwd()): string {
  const env = process.env[TEST_DATA_ENV];
  if (env !== undefined && env !== '') return path.resolve(env);
  return path.resolve(projectRoot(toPath(from)), '../shared/data');
}

/**
 * A path inside the test data folder that must exist: a missing one throws naming the path and
 * `FEWSHOT_TEST_DATA`, so a data test fails loudly instead of skipping (a silent skip hides a broken setup).
 */
export function testDataPath(from: string | URL, ...segments: string[]): string {
  const p = path.join(testDataDir(from), ...segments);
  if (!existsSync(p)) throw new Error(`test data not found: ${p} (set ${TEST_DATA_ENV} to the shared data folder)`);
  return p;
}

function envInteger(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw}: expected an integer >= ${min}`);
  return n;
}

/** fast-check parameters of a fuzz spec: `numRuns` from `$FEWSHOT_FUZZ_RUNS`, `seed` from `$FEWSHOT_FUZZ_SEED`. */
export interface FuzzSettings {
  numRuns: number;
  seed: number;
}

/**
 * Runs and seed for property-based fuzz specs: the spec's CI-sized defaults, overridden by
 * `FEWSHOT_FUZZ_RUNS` (e.g. 100000 for a long hunt by hand) and `FEWSHOT_FUZZ_SEED`. A value that is not
 * an integer throws naming the variable. Pass the result to `fc.assert(property, settings)`.
 */
export function fuzzSettings(defaults: { runs: number; seed?: number }): FuzzSettings {
  return {
    numRuns: envInteger('FEWSHOT_FUZZ_RUNS', defaults.runs, 1),
    seed: envInteger('FEWSHOT_FUZZ_SEED', defaults.seed ?? 21, -(2 ** 31)),
  };
}

/**
 * CPU time of this process in milliseconds (user + system). Time limits in tests use it rather than the
 * wall clock, which grows when other processes load the machine.
 */
export function cpuTimeMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
