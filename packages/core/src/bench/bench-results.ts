import { meanCi95 } from '../eval/stats.js';
import {
  BENCH_RESULTS_FORMAT,
  BENCH_RESULTS_VERSION,
  type BenchCellResult,
  type BenchComparison,
  type BenchEnvironment,
  type BenchMethodResult,
  type BenchResults,
  type BenchTaskResult,
} from './results-schema.js';

/**
 * results.json from finished cells: cells in plan order, only the tasks and methods they use, and
 * the paired comparisons of every two methods on each task. Used by a run and by `bench merge`.
 */
export function buildResults(
  bench: BenchResults['bench'],
  cells: readonly BenchCellResult[],
  tasks: readonly BenchTaskResult[],
  methods: readonly BenchMethodResult[],
  environment: BenchEnvironment,
  shard?: BenchResults['shard'],
  generatedAt = new Date(),
): BenchResults {
  const order = new Map(bench.plan.map((c, i) => [c.key, i]));
  const sorted = [...cells].sort((a, b) => (order.get(a.key) ?? Infinity) - (order.get(b.key) ?? Infinity));
  // tasks and methods in the order the cells first use them, so that a merge of shards lists them as one run does
  const taskOrder = [...new Set(sorted.map((c) => c.task))];
  const methodOrder = [...new Set(sorted.map((c) => c.method))];
  const taskById = new Map(tasks.map((t) => [t.id, t]));
  const methodById = new Map(methods.map((m) => [m.id, m]));
  return {
    format: BENCH_RESULTS_FORMAT,
    version: BENCH_RESULTS_VERSION,
    bench,
    ...(shard ? { shard } : {}),
    generatedAt: generatedAt.toISOString(),
    environment,
    methods: methodOrder.map((id) => methodById.get(id)).filter((m) => m !== undefined),
    tasks: taskOrder.map((id) => taskById.get(id)).filter((t) => t !== undefined),
    cells: sorted,
    comparisons: pairedComparisons(sorted),
  };
}

/** Every two cells on the same task (the same episodes): mean of a - b per episode, with its 95% CI. */
export function pairedComparisons(cells: readonly BenchCellResult[]): BenchComparison[] {
  const byTask = new Map<string, BenchCellResult[]>();
  for (const c of cells) byTask.set(c.task, [...(byTask.get(c.task) ?? []), c]);
  const out: BenchComparison[] = [];
  for (const [task, list] of byTask) {
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const d = pairedDifference(list[i]!, list[j]!);
        if (d) out.push({ task, a: list[i]!.method, b: list[j]!.method, ...d });
      }
    }
  }
  return out;
}

/** a - b on the same episodes (per-episode accuracies), or undefined when the episodes differ in number or size. */
export function pairedDifference(
  a: BenchCellResult,
  b: BenchCellResult,
): { meanDifference: number; ci95: number; episodes: number } | undefined {
  if (a.perEpisodeCorrect.length !== b.perEpisodeCorrect.length || a.ways * a.queries !== b.ways * b.queries)
    return undefined;
  const perQuery = a.ways * a.queries;
  const diffs = a.perEpisodeCorrect.map((x, e) => (x - b.perEpisodeCorrect[e]!) / perQuery);
  const { mean, ci95 } = meanCi95(diffs);
  return { meanDifference: mean, ci95, episodes: diffs.length };
}
