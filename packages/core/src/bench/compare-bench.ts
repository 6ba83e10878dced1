import { meanCi95 } from '../eval/stats.js';
import { readBenchResults } from './bench-outputs.js';
import type { BenchCellResult, BenchResults } from './results-schema.js';

/** One cell of NEW against the same cell (by id) of OLD. */
export interface CellChange {
  readonly id: string;
  readonly old: number;
  readonly new: number;
  /** new - old accuracy (fraction). */
  readonly difference: number;
  /** Half-width of its 95% CI: paired over the episodes when both ran the same ones, else from the two CIs. */
  readonly ci95: number;
  readonly paired: boolean;
  /** More than `maxDrop` points below OLD. */
  readonly regressed: boolean;
}

export interface BenchComparisonReport {
  readonly changes: readonly CellChange[];
  /** Cell ids only in OLD / only in NEW. */
  readonly removed: readonly string[];
  readonly added: readonly string[];
  /** Percentage points a cell may drop (null: no gate). */
  readonly maxDrop: number | null;
  readonly regressions: number;
}

/**
 * Compare two bench results cell by cell (matched by id, `<method>@<task>`). Paired where the two
 * cells scored the same episodes (same episodes key and count): mean per-episode difference and its
 * 95% CI; otherwise the difference of the accuracies with sqrt(ci_old² + ci_new²).
 */
export function compareBenchResults(
  oldR: BenchResults,
  newR: BenchResults,
  maxDrop: number | null = null,
): BenchComparisonReport {
  const oldCells = new Map(oldR.cells.map((c) => [c.id, c]));
  const newIds = new Set(newR.cells.map((c) => c.id));
  const episodesKey = (r: BenchResults, c: BenchCellResult): string | undefined =>
    r.tasks.find((t) => t.id === c.task)?.episodesKey;
  const changes: CellChange[] = [];
  for (const n of newR.cells) {
    const o = oldCells.get(n.id);
    if (!o) continue;
    const samePoints =
      o.ways * o.queries === n.ways * n.queries && o.perEpisodeCorrect.length === n.perEpisodeCorrect.length;
    const paired = samePoints && episodesKey(oldR, o) !== undefined && episodesKey(oldR, o) === episodesKey(newR, n);
    let difference = n.accuracy - o.accuracy;
    let ci95 = Math.sqrt(o.ci95 ** 2 + n.ci95 ** 2);
    if (paired) {
      const per = n.ways * n.queries;
      const s = meanCi95(n.perEpisodeCorrect.map((x, e) => (x - o.perEpisodeCorrect[e]!) / per));
      difference = s.mean;
      ci95 = s.ci95;
    }
    const regressed = maxDrop !== null && -difference * 100 > maxDrop + 1e-9;
    changes.push({ id: n.id, old: o.accuracy, new: n.accuracy, difference, ci95, paired, regressed });
  }
  return {
    changes,
    removed: oldR.cells.filter((c) => !newIds.has(c.id)).map((c) => c.id),
    added: newR.cells.filter((c) => !oldCells.has(c.id)).map((c) => c.id),
    maxDrop,
    regressions: changes.filter((c) => c.regressed).length,
  };
}

/** `compareBenchResults` of two bench output folders (or results.json files). */
export function compareBenchDirs(oldDir: string, newDir: string, maxDrop: number | null = null): BenchComparisonReport {
  return compareBenchResults(readBenchResults(oldDir), readBenchResults(newDir), maxDrop);
}
