import path from 'node:path';
import { parseConfigObject } from '../config/load-config.js';
import type { DecodedSet } from '../data/sample-store.js';
import { decodeSplit, openExperiment, type Experiment } from '../experiment.js';
import { LabeledSet } from '../labeled-set.js';
import type { ProgressSink } from '../progress.js';
import type { EvalSetup, PlannedCell } from './bench-plan.js';

/** A task's samples decoded the way one method decodes them. */
export interface MethodInputs {
  readonly exp: Experiment;
  readonly decoded: DecodedSet;
  /** Sample id -> row of `decoded.store`. */
  readonly rowOf: ReadonlyMap<string, number>;
  readonly seconds: number;
}

/** The experiment a method is evaluated in: its modality, decoding, plugins, backend and eval settings (no splits). */
export async function evaluationExperiment(setup: EvalSetup, name: string): Promise<Experiment> {
  const plugins = setup.plugins.map((p) => (p.startsWith('.') ? path.resolve(setup.pluginDir, p) : p));
  const loaded = parseConfigObject({
    name,
    seed: setup.ttaSeed,
    plugins,
    backend: setup.backend,
    modality: setup.modality,
    data: { preprocess: setup.preprocess },
    eval: { batchSize: setup.batchSize, ...(setup.tta ? { tta: setup.tta } : {}) },
  });
  return openExperiment(loaded);
}

/**
 * Decode the samples that `cells` (one method, grid points of one task) use: the union of their
 * episodes' samples, with the method's decoding, through the decoded-data cache.
 */
export async function decodeMethodInputs(cells: readonly PlannedCell[], progress: ProgressSink): Promise<MethodInputs> {
  const t0 = Date.now();
  const first = cells[0]!;
  const set = first.task.set;
  const used = new Set<number>();
  for (const c of cells) {
    for (const ep of c.task.episodes) {
      for (const shots of ep.supportSet) for (const s of shots) used.add(s);
      for (const q of ep.querySet) used.add(q.sample);
    }
  }
  const subset = new LabeledSet(
    [...used].sort((a, b) => a - b).map((i) => set.samples[i]!),
    set.source,
  );
  const exp = await evaluationExperiment(first.setup, first.id);
  const decoded = await decodeSplit(exp, `${first.task.info.task} for ${first.method.id}`, subset, progress);
  const rowOf = new Map(decoded.set.samples.map((s, i) => [s.id, i]));
  return { exp, decoded, rowOf, seconds: (Date.now() - t0) / 1000 };
}
