import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors.js';
import { filesIn, readBenchResults, writeBenchOutputs } from './bench-outputs.js';
import { buildResults } from './bench-results.js';
import type { BenchCellResult, BenchResults, BenchTaskResult, BenchMethodResult } from './results-schema.js';

/**
 * Combine the outputs of shards of one bench (each a DIR with results.json, cells/ and episodes/)
 * into `out`. Refuses outputs of different bench plans, a shard given twice or missing, a cell in two
 * inputs, and cells of the plan that no input has. Writes results.json (without `shard`), results.csv,
 * report.md, and copies cells/ and episodes/.
 */
export async function mergeBench(dirs: readonly string[], out: string): Promise<BenchResults> {
  if (dirs.length === 0) throw new DataError('give the output folders of the shards to merge');
  const inputs = dirs.map((d) => ({ dir: path.resolve(d), r: readBenchResults(path.resolve(d)) }));
  const first = inputs[0]!;
  for (const { dir, r } of inputs) {
    if (r.bench.hash !== first.r.bench.hash) {
      throw new DataError(
        `${dir} is from another bench plan (${r.bench.name} ${r.bench.hash}) than ${first.dir} (${first.r.bench.name} ${first.r.bench.hash})`,
        {
          hints: ['merge only the shards of one run of one bench file (same file, same data, same fewshot)'],
        },
      );
    }
  }
  const shards = inputs.filter((i) => i.r.shard);
  if (shards.length > 0) {
    const count = shards[0]!.r.shard!.count;
    const seen = new Map<number, string>();
    for (const { dir, r } of shards) {
      if (r.shard!.count !== count)
        throw new DataError(
          `${dir} is shard ${r.shard!.index}/${r.shard!.count}, but ${shards[0]!.dir} is one of ${count} shards`,
        );
      const other = seen.get(r.shard!.index);
      if (other) throw new DataError(`shard ${r.shard!.index}/${count} is given twice: ${other} and ${dir}`);
      seen.set(r.shard!.index, dir);
    }
    const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
    if (missing.length > 0 && shards.length === inputs.length)
      throw new DataError(
        `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: give every shard's output`,
      );
  }
  const byKey = new Map<string, { cell: BenchCellResult; dir: string }>();
  for (const { dir, r } of inputs) {
    for (const cell of r.cells) {
      const other = byKey.get(cell.key);
      if (other) throw new DataError(`the cell ${cell.id} is in two inputs: ${other.dir} and ${dir}`);
      byKey.set(cell.key, { cell, dir });
    }
  }
  const gaps = first.r.bench.plan.filter((c) => !byKey.has(c.key));
  if (gaps.length > 0) {
    throw new DataError(
      `${gaps.length} of ${first.r.bench.cellsTotal} cells are in no input: ${gaps
        .slice(0, 5)
        .map((c) => c.id)
        .join(', ')}${gaps.length > 5 ? ', ...' : ''}`,
      {
        hints: ['a shard did not finish, or not every shard output was given'],
      },
    );
  }
  const tasks = new Map<string, BenchTaskResult>();
  const methods = new Map<string, BenchMethodResult>();
  for (const { r } of inputs) {
    for (const t of r.tasks) tasks.set(t.id, t);
    for (const m of r.methods) methods.set(m.id, m);
  }
  const outDir = path.resolve(out);
  for (const { dir } of inputs) {
    if (dir === outDir) continue;
    for (const sub of ['cells', 'episodes']) {
      mkdirSync(path.join(outDir, sub), { recursive: true });
      for (const f of filesIn(dir, sub)) copyFileSync(path.join(dir, sub, f), path.join(outDir, sub, f));
    }
  }
  const order = first.r.bench.plan.map((c) => c.key);
  const results = buildResults(
    first.r.bench,
    order.map((k) => byKey.get(k)!.cell),
    [...tasks.values()],
    [...methods.values()],
    first.r.environment,
  );
  await writeBenchOutputs(outDir, results);
  return results;
}
