import type { BenchPlan, PlannedCell } from './bench-plan.js';
import { readCell } from './bench-outputs.js';
import { trainedModel } from './method-model.js';

/** Rough seconds to evaluate one cell when no cell has finished yet. */
const DEFAULT_EVAL_SECONDS = 30;
/** Rough seconds per training step when no model has been trained yet. */
const DEFAULT_STEP_SECONDS = 0.5;

/**
 * Seconds the unfinished cells of `cells` should take: evaluation at the mean of the finished
 * cells' decode + eval time (else a rough default), plus each model still to train at the mean
 * training time of those trained (else its time limit, or epochs x steps x a rough step time).
 */
export function estimateSeconds(plan: BenchPlan, cells: readonly PlannedCell[], out: string): number {
  const done = plan.cells.map((c) => readCell(out, c.key)).filter((c) => c !== undefined);
  const evalMean =
    done.length > 0
      ? done.reduce((s, c) => s + c.timings.decodeSeconds + c.timings.evalSeconds, 0) / done.length
      : DEFAULT_EVAL_SECONDS;
  const trained = [...new Set(plan.cells.map((c) => c.method.modelKey).filter((k): k is string => k !== undefined))]
    .map((k) => trainedModel(out, k))
    .filter((t) => t !== undefined);
  const trainMean = trained.length > 0 ? trained.reduce((s, t) => s + t.trainSeconds, 0) / trained.length : undefined;
  let total = 0;
  const toTrain = new Set<string>();
  for (const c of cells) {
    if (readCell(out, c.key)) continue;
    total += evalMean;
    const key = c.method.modelKey;
    if (key && !toTrain.has(key) && !trainedModel(out, key)) {
      toTrain.add(key);
      const t = c.method.experiment!.config.train;
      const rough = t.timeLimitMinutes
        ? Math.min(t.timeLimitMinutes * 60, t.epochs * t.stepsPerEpoch * DEFAULT_STEP_SECONDS)
        : t.epochs * t.stepsPerEpoch * DEFAULT_STEP_SECONDS;
      total += trainMean ?? rough;
    }
  }
  return total;
}
