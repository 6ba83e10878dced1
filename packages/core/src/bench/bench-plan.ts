import path from 'node:path';
import type { BackendChoice } from '../backend/select-backend.js';
import type { ConfigProblem } from '../config/describe-issues.js';
import type { TtaConfig } from '../config/experiment-schema.js';
import { validatePreprocess } from '../experiment.js';
import { resolveDataDir } from '../data-sets/data-dir.js';
import { FewshotError } from '../errors.js';
import { contentKey } from './content-key.js';
import { DataFingerprints } from './data-fingerprint.js';
import { FEWSHOT_VERSION } from './fewshot-version.js';
import { benchError, type LoadedBench } from './load-bench.js';
import { Containers, planMethod, type PlannedMethod } from './plan-methods.js';
import { planTask, type PlannedTask } from './plan-tasks.js';
import type { BenchDomain, BenchTaskResult } from './results-schema.js';
import type { EmbeddingNormalization } from '../eval/normalize-embeddings.js';

/** How a method decodes and scores one task's samples. */
export interface EvalSetup {
  readonly modality: string;
  /** Validated decoding settings. */
  readonly preprocess: Record<string, unknown>;
  readonly plugins: readonly string[];
  /** Folder plugin paths are relative to. */
  readonly pluginDir: string;
  readonly backend: BackendChoice;
  /** Test-time augmentation (null: none) and the seed of its views. */
  readonly tta: TtaConfig | null;
  readonly ttaSeed: number;
  /** How a model's embeddings are normalised before scoring (its config's `eval.normalize`). */
  readonly normalize: EmbeddingNormalization;
  readonly batchSize: number;
  /** The resolved method config recorded with the cell; model and experiment paths relative to the bench file's folder. */
  readonly config: Record<string, unknown>;
}

/** One method on one task grid point: the unit that is keyed, resumed and sharded. */
export interface PlannedCell {
  readonly key: string;
  readonly id: string;
  readonly method: PlannedMethod;
  readonly task: PlannedTask;
  readonly source: string;
  readonly target: string;
  readonly domain: BenchDomain;
  readonly setup: EvalSetup;
  /** Cells of one unit go to the same shard (all cells of a trained model). */
  readonly unit: string;
}

/** Everything a bench run will do, checked before any training. */
export interface BenchPlan {
  readonly bench: LoadedBench;
  readonly methods: readonly PlannedMethod[];
  /** Every task grid point used by a cell, in bench order. */
  readonly tasks: readonly PlannedTask[];
  readonly cells: readonly PlannedCell[];
  /** Key of the whole plan (its cell keys in order): shards and merges must agree on it. */
  readonly hash: string;
}

/**
 * Resolve a bench file into cells: list every task's data and draw its episodes, load every
 * experiment and model, check that each cell's method fits its task. All problems are gathered and
 * thrown as one ConfigError naming file:line:col and the key, before anything is trained.
 * `out` is the output folder (episode manifests already there are reused).
 */
export async function planBench(bench: LoadedBench, out: string): Promise<BenchPlan> {
  const problems: ConfigProblem[] = [];
  const containers = new Containers();
  const fingerprints = new DataFingerprints();
  const benchContainer = await containers.get(bench.spec.plugins, bench.dir);
  const usedTasks = new Set<string>();
  const usedMethods = new Set<string>();
  bench.spec.cells.forEach((c, i) => {
    const names = (
      one: string | undefined,
      many: string[] | undefined,
      field: string,
      known: Record<string, unknown>,
      used: Set<string>,
    ): void => {
      if ((one === undefined) === (many === undefined))
        problems.push(bench.problem(['cells', i], `give either ${field} or ${field}s`));
      const all =
        one !== undefined ? [[field, one] as const] : (many ?? []).map((n, j) => [`${field}s.${j}`, n] as const);
      for (const [k, n] of all) {
        if (!(n in known))
          problems.push(
            bench.problem(
              ['cells', i, ...k.split('.')],
              `unknown ${field} '${n}' (${field}s: ${Object.keys(known).join(', ')})`,
            ),
          );
        else used.add(n);
      }
    };
    names(c.method, c.methods, 'method', bench.spec.methods, usedMethods);
    names(c.task, c.tasks, 'task', bench.spec.tasks, usedTasks);
  });
  const tasksByName = new Map<string, PlannedTask[]>();
  for (const name of Object.keys(bench.spec.tasks))
    if (usedTasks.has(name)) tasksByName.set(name, await planTask(bench, name, benchContainer.registry, out, problems));
  const methods = new Map<string, PlannedMethod>();
  for (const id of Object.keys(bench.spec.methods)) {
    if (!usedMethods.has(id)) continue;
    const m = await planMethod(bench, id, containers, fingerprints, problems);
    if (m) methods.set(id, m);
  }
  const cells: PlannedCell[] = [];
  const seen = new Map<string, number>();
  for (const [i, c] of bench.spec.cells.entries()) {
    for (const mid of c.method !== undefined ? [c.method] : (c.methods ?? [])) {
      const method = methods.get(mid);
      if (!method) continue;
      for (const tname of c.task !== undefined ? [c.task] : (c.tasks ?? [])) {
        for (const task of tasksByName.get(tname) ?? []) {
          const id = `${mid}@${task.info.id}`;
          if (seen.has(id)) {
            problems.push(bench.problem(['cells', i], `the cell ${id} is already listed by cells.${seen.get(id)}`));
            continue;
          }
          seen.set(id, i);
          const setup = await evalSetup(bench, method, task, containers, benchContainer.registry, i, problems);
          if (!setup) continue;
          const key = cellKey(setup.config, task.info);
          const domain: BenchDomain =
            method.kind === 'baseline' ? 'untrained' : c.source === c.target ? 'in-domain' : 'cross-domain';
          const unit = method.modelKey ? `model:${method.modelKey}` : `cell:${key}`;
          cells.push({ key, id, method, task, source: c.source, target: c.target, domain, setup, unit });
        }
      }
    }
  }
  if (problems.length > 0) throw benchError(bench.file, problems);
  const tasks = [...new Set(cells.map((c) => c.task))];
  return { bench, methods: [...methods.values()], tasks, cells, hash: contentKey(cells.map((c) => c.key)) };
}

/**
 * The content key of a cell: the fewshot version, the resolved method config and what its episodes are
 * drawn from. Where files are is not part of it, so that the same bench in another checkout (or with
 * the data folder elsewhere) reuses the cells: a model counts by its files (`filesHash`), an
 * experiment by its resolved config (and `modelKey`), the data by its fingerprint and its path
 * relative to the data folder (`dataDir`, default $FEWSHOT_DATA; absolute when it lies outside).
 */
export function cellKey(
  config: Readonly<Record<string, unknown>>,
  task: BenchTaskResult,
  dataDir = resolveDataDir(),
): string {
  const inData = path.relative(dataDir, task.data.path);
  const dataPath =
    inData === ''
      ? '.'
      : inData.startsWith('..') || path.isAbsolute(inData)
        ? task.data.path
        : inData.split(path.sep).join('/');
  const episodes = {
    dataFingerprint: task.dataFingerprint,
    modality: task.modality,
    data: { ...task.data, path: dataPath },
    ways: task.ways,
    shots: task.shots,
    queries: task.queries,
    episodes: task.episodes,
    seed: task.kind === 'runs' ? null : task.seed,
    within: task.within ?? null,
    across: task.across ?? null,
    kind: task.kind,
  };
  return contentKey({ fewshot: FEWSHOT_VERSION, method: { ...config, experiment: null, model: null }, episodes });
}

/** A path as recorded in results: relative to `base` (the bench file's folder), `/`-separated. */
function relativeTo(base: string, p: string): string {
  return path.relative(base, p).split(path.sep).join('/') || '.';
}

async function evalSetup(
  bench: LoadedBench,
  method: PlannedMethod,
  task: PlannedTask,
  containers: Containers,
  benchRegistry: Awaited<ReturnType<Containers['get']>>['registry'],
  cellIndex: number,
  problems: ConfigProblem[],
): Promise<EvalSetup | undefined> {
  const modality = task.info.modality;
  if (method.modality !== undefined && method.modality !== modality) {
    problems.push(
      bench.problem(
        ['cells', cellIndex],
        `the method '${method.id}' works on ${method.modality} data, but the task '${task.info.task}' is ${modality} data`,
      ),
    );
    return undefined;
  }
  const exp = method.experiment;
  const backend: BackendChoice = exp && method.kind === 'experiment' ? exp.config.backend : bench.spec.backend;
  if (method.kind === 'model') {
    const m = method.model!;
    const tta = method.spec.tta && m.config && m.config.eval.tta.views > 1 ? m.config.eval.tta : null;
    const ttaSeed = m.config?.seed ?? 0;
    const normalize = m.config?.eval.normalize ?? 'none';
    const config = {
      kind: 'model',
      model: relativeTo(bench.dir, m.dir),
      filesHash: m.filesHash,
      manifest: m.meta,
      tta,
      ttaSeed,
      // only when set: the keys of cells without it stay as they were
      ...(normalize !== 'none' ? { normalize } : {}),
      backend,
    };
    return {
      modality,
      preprocess: { ...m.meta.preprocess },
      plugins: m.meta.plugins,
      pluginDir: m.dir,
      backend,
      tta,
      ttaSeed,
      normalize,
      batchSize: m.config?.eval.batchSize ?? 256,
      config,
    };
  }
  const plugins = exp ? exp.config.plugins : bench.spec.plugins;
  const pluginDir = exp ? exp.dir : bench.dir;
  const registry = exp ? (await containers.get(plugins, pluginDir)).registry : benchRegistry;
  const raw = method.spec.preprocess ?? exp?.config.data.preprocess ?? task.spec.preprocess;
  const where = method.spec.preprocess
    ? ['methods', method.id, 'preprocess']
    : exp
      ? ['methods', method.id, 'experiment']
      : ['tasks', task.info.task, 'preprocess'];
  let preprocess: Record<string, unknown>;
  try {
    preprocess = validatePreprocess(registry.modality(modality), raw, bench.file);
  } catch (e) {
    if (!(e instanceof FewshotError)) throw e;
    problems.push(bench.problem(where, [e.message, ...e.hints].join('; ')));
    return undefined;
  }
  if (method.kind === 'baseline') {
    const baseline = registry.baseline(method.spec.baseline!);
    if (baseline.modalities.length > 0 && !baseline.modalities.includes(modality)) {
      problems.push(
        bench.problem(
          ['cells', cellIndex],
          `the baseline '${baseline.id}' works on ${baseline.modalities.join(', ')} data, but the task '${task.info.task}' is ${modality} data`,
        ),
      );
      return undefined;
    }
    const config = {
      kind: 'baseline',
      baseline: baseline.id,
      modality,
      preprocess,
      plugins,
      backend,
      ...(exp ? { experiment: relativeTo(bench.dir, exp.file) } : {}),
    };
    return {
      modality,
      preprocess,
      plugins,
      pluginDir,
      backend,
      tta: null,
      ttaSeed: 0,
      normalize: 'none',
      batchSize: 256,
      config,
    };
  }
  const c = exp!.config;
  const tta = method.spec.tta && c.eval.tta.views > 1 ? c.eval.tta : null;
  // eval.normalize only when set: the keys of cells from before it existed stay as they were
  const { normalize, ...evalKept } = c.eval;
  const resolved = normalize === 'none' ? { ...c, eval: evalKept } : c;
  const config = {
    kind: 'experiment',
    experiment: relativeTo(bench.dir, exp!.file),
    overrides: exp!.overrides,
    modelKey: method.modelKey,
    resolved,
    tta,
    backend,
  };
  return {
    modality,
    preprocess,
    plugins,
    pluginDir,
    backend,
    tta,
    ttaSeed: c.seed,
    normalize,
    batchSize: c.eval.batchSize,
    config,
  };
}
