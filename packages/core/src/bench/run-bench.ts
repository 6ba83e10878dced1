import { existsSync } from 'node:fs';
import path from 'node:path';
import { baselineScorerFor } from '../api/baseline-scorer-for.js';
import type { EpisodeScorer } from '../baseline.js';
import { ttaScorer } from '../eval/tta-scorer.js';
import { embedAllRows, workerEmbedderFor } from '../eval/worker-embedder.js';
import { loadModel } from '../model/ensemble-model.js';
import { writeAtomic } from '../model/model-io.js';
import { formatDuration, SilentProgress, type ProgressSink } from '../progress.js';
import { planBench, type BenchPlan, type PlannedCell } from './bench-plan.js';
import { cellFile, readCell, writeBenchOutputs } from './bench-outputs.js';
import { buildResults } from './bench-results.js';
import { shardOf, type BenchShard } from './bench-shard.js';
import { environmentInfo } from './environment-info.js';
import { estimateSeconds } from './estimate-time.js';
import { writeManifest } from './episode-manifest.js';
import { loadBench, type LoadedBench } from './load-bench.js';
import { decodeMethodInputs } from './method-inputs.js';
import { ensureModel, type MethodTraining } from './method-model.js';
import { embedRows, scoreEpisodes, type EpisodeScores } from './score-episodes.js';
import type { BenchCellResult, BenchEnvironment, BenchResults } from './results-schema.js';
import { fetchExperimentData, type FetchDataOptions } from '../data-sets/fetch-experiment-data.js';
import { checkOutputDir } from '../io/check-output-dir.js';
import { benchDataPaths } from './bench-data-paths.js';
import { normalizedScorer } from '../eval/normalize-embeddings.js';

export interface RunBenchOptions {
  /** Output folder (created; a folder of an earlier run of the same bench is resumed). */
  readonly out: string;
  /** Run only this shard's share of the cells. */
  readonly shard?: BenchShard;
  /** Only plan: list the cells, what is done, and an estimate of the time left. */
  readonly dryRun?: boolean;
  readonly progress?: ProgressSink;
  /** With `fetch: true`, the supported data sets the bench reads are fetched first when missing. */
  readonly fetch?: FetchDataOptions;
}

/** A cell of this run (its shard) and whether it was finished before. */
export interface BenchCellStatus {
  readonly id: string;
  readonly key: string;
  readonly done: boolean;
}

export interface RunBenchReport {
  readonly out: string;
  readonly cellsTotal: number;
  /** This shard's cells (all cells without a shard), in bench order. */
  readonly cells: readonly BenchCellStatus[];
  /** Seconds the cells not done are expected to take (from the timings of done ones, else rough defaults). */
  readonly estimateSeconds: number;
  /** Cells run now (0 with dryRun). */
  readonly ran: number;
  /** What was written to results.json (undefined with dryRun). */
  readonly results?: BenchResults;
}

/**
 * Run a bench file into `out`: plan (every problem reported before anything is trained), draw or
 * read the episode manifests, then for each cell not finished yet: train its model (once per
 * training config, DIR/models/<key>), decode the task's samples the method's way, score the
 * manifest's episodes, and write DIR/cells/<key>.json atomically. Finally results.json, results.csv
 * and report.md over this shard's finished cells.
 */
export async function runBench(file: string | LoadedBench, options: RunBenchOptions): Promise<RunBenchReport> {
  const progress = options.progress ?? new SilentProgress();
  const environment = environmentInfo(); // the checkout as the run starts (a long run may outlive a commit)
  const bench = typeof file === 'string' ? await loadBench(file) : file;
  const out = path.resolve(options.out);
  await checkOutputDir(out, 'output folder'); // before any training or decoding
  if (options.fetch?.fetch) await fetchExperimentData(await benchDataPaths(bench), options.fetch, progress);
  const plan = await planBench(bench, out);
  const mine = shardOf(plan.cells, options.shard);
  const status = mine.map((c) => ({ id: c.id, key: c.key, done: existsSync(cellFile(out, c.key)) }));
  const todo = mine.filter((_, i) => !status[i]!.done);
  const estimate = estimateSeconds(plan, mine, out);
  const head = { out, cellsTotal: plan.cells.length, cells: status, estimateSeconds: estimate };
  if (options.dryRun) return { ...head, ran: 0 };

  const shardText = options.shard ? ` (shard ${options.shard.index}/${options.shard.count})` : '';
  progress.log(
    `fewshot bench '${bench.spec.name}'${shardText}: ${mine.length} cells, ${mine.length - todo.length} done, ${todo.length} to run (estimate ${formatDuration(estimate)}) into ${out}`,
  );
  for (const t of new Set(mine.map((c) => c.task))) {
    if (!t.manifestSaved) await writeManifest(path.join(out, t.info.manifest), t.manifestHeader, t.manifest);
  }
  let ran = 0;
  for (const group of groups(todo)) {
    const method = group[0]!.method;
    const training = method.kind === 'experiment' ? await ensureModel(out, method, progress) : undefined;
    const inputs = await decodeMethodInputs(group, progress);
    const { exp, decoded, rowOf } = inputs;
    const setup = group[0]!.setup;
    const base: EpisodeScorer =
      method.kind === 'baseline'
        ? baselineScorerFor(exp, method.spec.baseline!)
        : await loadModel(training ? path.join(out, training.model) : method.model!.dir);
    const scorer = setup.tta
      ? ttaScorer(base, exp.modality, exp.preprocess, setup.tta, setup.ttaSeed, (i) => decoded.set.samples[i]!.id)
      : base;
    // embedded by the scorer (or its workers), scored after eval.normalize
    const scoring = normalizedScorer(scorer, setup.normalize);
    try {
      const t1 = Date.now();
      const task = progress.start(
        `embedding ${group[0]!.task.info.task} for ${method.id}`,
        decoded.store.count,
        'samples',
      );
      const workers = await workerEmbedderFor(exp, scorer, decoded.store.count);
      let emb: Float32Array;
      try {
        emb = workers
          ? await embedAllRows(workers, decoded.store, task)
          : embedRows(scorer, decoded.store, setup.batchSize, task);
      } finally {
        await workers?.close();
      }
      task.done();
      const embedSeconds = (Date.now() - t1) / 1000;
      for (const cell of group) {
        const rows = (i: number): number => rowOf.get(cell.task.set.samples[i]!.id)!;
        const episodes = cell.task.episodes.map((ep) => ({
          classes: ep.classes,
          supportSet: ep.supportSet.map((s) => s.map(rows)),
          querySet: ep.querySet.map((q) => ({ sample: rows(q.sample), label: q.label })),
        }));
        const scores = scoreEpisodes(scoring, emb, episodes);
        const result = cellResult(
          cell,
          scores,
          scorer.kind,
          exp.backend.name,
          training,
          inputs.seconds / group.length,
          embedSeconds / group.length,
        );
        await writeAtomic(cellFile(out, cell.key), JSON.stringify(result, null, 2) + '\n');
        ran++;
        const left = todo.length - ran;
        // from the timings of the cells done so far (and the models still to train)
        const eta = left > 0 ? ` ETA ${formatDuration(estimateSeconds(plan, mine, out))}` : '';
        progress.log(
          `cell ${mine.length - todo.length + ran}/${mine.length}${eta}: ${cell.id}: ${(result.accuracy * 100).toFixed(1)}% ± ${(result.ci95 * 100).toFixed(1)} (${result.timings.evalSeconds.toFixed(1)} s)`,
        );
      }
    } finally {
      scorer.dispose?.();
    }
  }
  const results = assemble(plan, mine, out, options.shard, environment);
  await writeBenchOutputs(out, results);
  progress.log(`wrote ${path.join(out, 'results.json')}, results.csv and report.md (${results.cells.length} cells)`);
  return { ...head, ran, results };
}

/** Todo cells grouped by (method, task): one decoding and one loaded model per group; groups in bench order. */
function groups(cells: readonly PlannedCell[]): PlannedCell[][] {
  const byKey = new Map<string, PlannedCell[]>();
  for (const c of cells) {
    const k = `${c.method.id}\n${c.task.info.task}`;
    byKey.set(k, [...(byKey.get(k) ?? []), c]);
  }
  return [...byKey.values()];
}

function cellResult(
  cell: PlannedCell,
  scores: EpisodeScores,
  modelKind: string,
  backend: string,
  training: MethodTraining | undefined,
  decodeSeconds: number,
  embedSeconds: number,
): BenchCellResult {
  const t = cell.task.info;
  const example = (label: string): string => cell.task.set.of(label)[0]!.path;
  return {
    key: cell.key,
    id: cell.id,
    method: cell.method.id,
    methodKind: cell.method.kind,
    task: t.id,
    source: cell.source,
    target: cell.target,
    domain: cell.domain,
    modelKind,
    config: cell.setup.config,
    backend,
    seed: t.seed,
    ways: t.ways,
    shots: t.shots,
    queries: t.queries,
    episodes: t.episodes,
    accuracy: scores.accuracy,
    ci95: scores.ci95,
    perEpisodeCorrect: scores.perEpisodeCorrect,
    confusions: scores.confusions.map((c) => ({
      ...c,
      labelExample: example(c.label),
      predictedExample: example(c.predicted),
    })),
    timings: {
      trainSeconds: training ? training.trainSeconds : null,
      decodeSeconds,
      evalSeconds: embedSeconds + scores.seconds,
    },
    ...(training
      ? {
          training: {
            modelKey: training.modelKey,
            model: training.model,
            bestEpoch: training.bestEpoch,
            bestValAccuracy: training.bestValAccuracy,
            stoppedBecause: training.stoppedBecause,
            history: training.history,
          },
        }
      : {}),
    finishedAt: new Date().toISOString(),
  };
}

/** results.json of this run: this shard's finished cells. */
function assemble(
  plan: BenchPlan,
  mine: readonly PlannedCell[],
  out: string,
  shard: BenchShard | undefined,
  environment: BenchEnvironment,
): BenchResults {
  const cells = mine.map((c) => readCell(out, c.key)).filter((c): c is BenchCellResult => c !== undefined);
  const bench = {
    file: plan.bench.file,
    name: plan.bench.spec.name,
    hash: plan.hash,
    cellsTotal: plan.cells.length,
    plan: plan.cells.map((c) => ({ key: c.key, id: c.id })),
  };
  return buildResults(
    bench,
    cells,
    plan.tasks.map((t) => t.info),
    plan.methods.map((m) => ({ id: m.id, kind: m.kind, label: m.label })),
    environment,
    shard,
  );
}
