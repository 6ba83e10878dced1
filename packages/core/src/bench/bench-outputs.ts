import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import { reportMarkdown, resultsCsv } from './bench-report.js';
import {
  BENCH_RESULTS_FORMAT,
  BENCH_RESULTS_VERSION,
  type BenchCellResult,
  type BenchResults,
} from './results-schema.js';
import { writeHtmlReport } from './html-report.js';

/** The file of a finished cell in DIR. */
export function cellFile(dir: string, key: string): string {
  return path.join(dir, 'cells', `${key}.json`);
}

/** A finished cell of DIR, or undefined. */
export function readCell(dir: string, key: string): BenchCellResult | undefined {
  const f = cellFile(dir, key);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as BenchCellResult) : undefined;
}

/** Write results.json, results.csv, report.md and report.html into `dir` (each atomically). */
export async function writeBenchOutputs(dir: string, results: BenchResults): Promise<void> {
  await writeFileAtomic(path.join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  await writeFileAtomic(path.join(dir, 'results.csv'), resultsCsv(results));
  await writeFileAtomic(path.join(dir, 'report.md'), reportMarkdown(results));
  await writeHtmlReport(dir, results);
}

/** DIR/results.json, checked to be a bench results file this fewshot reads. */
export function readBenchResults(dir: string): BenchResults {
  const file = existsSync(dir) && !dir.endsWith('.json') ? path.join(dir, 'results.json') : dir;
  if (!existsSync(file)) throw new DataError(`no bench results in ${dir} (results.json not found)`);
  const r = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  if (r.format !== BENCH_RESULTS_FORMAT) throw new DataError(`${file} is not a fewshot bench results file`);
  if (r.version > BENCH_RESULTS_VERSION)
    throw new DataError(
      `${file} has results format version ${r.version}; this fewshot reads up to ${BENCH_RESULTS_VERSION}`,
    );
  return r;
}

/** Names of the files in DIR/sub (empty when missing). */
export function filesIn(dir: string, sub: string): string[] {
  const d = path.join(dir, sub);
  // without the temporaries of killed writes
  return existsSync(d)
    ? readdirSync(d)
        .filter((n) => !n.includes('.tmp-') && !/\.json\.\d+$/.test(n))
        .sort()
    : [];
}
