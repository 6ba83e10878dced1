import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BackendChoice } from '../backend/select-backend.js';
import type { EpisodeScorer } from '../baseline.js';
import { applyOverridesAt } from '../config/apply-overrides.js';
import { configToYaml, loadConfig, parseConfigText, type LoadedConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import { runEvaluation, type EvalReport } from '../eval/run-evaluation.js';
import { openExperiment } from '../experiment.js';
import { loadModel, readModelMeta, type ModelMeta } from '../model/ensemble-model.js';
import { writeAtomic } from '../model/model-io.js';
import { checkOutputDir } from '../io/check-output-dir.js';
import { SilentProgress, type ProgressSink } from '../progress.js';
import { experimentDataPaths, fetchExperimentData, type FetchDataOptions } from '../data-sets/fetch-experiment-data.js';
import { baselineName, baselineScorerFor } from './baseline-scorer-for.js';
import { resolveExperiment, type ExperimentSource } from './resolve-experiment.js';

export interface EvaluateOptions extends FetchDataOptions {
  /** Model folder written by `trainExperiment` / `fewshot train` (give this or `baseline`). */
  readonly model?: string;
  /** A parameter-free baseline instead of a model: `pixel`, or a plugin's (give this or `model`). */
  readonly baseline?: string;
  /** Experiment (data.test and eval settings); defaults to the config saved with the model. Required for a baseline. */
  readonly experiment?: ExperimentSource;
  /** Folder of explicit runs in Lake's format; otherwise `data.runs` (without `data.test`) or random episodes of `data.test`. */
  readonly runs?: string;
  /** Write eval.json and the resolved config.yaml to this folder. */
  readonly out?: string;
  /** `--set` style overrides; for a model, `data.preprocess...` ones change its saved preprocessing. */
  readonly overrides?: readonly string[];
  readonly backend?: BackendChoice;
  readonly progress?: ProgressSink;
}

/**
 * Evaluate a trained model, or a baseline, on explicit one-shot runs or on seeded random N-way
 * K-shot episodes (the experiment's `eval` settings). A model decides how inputs are decoded (its
 * saved `data.preprocess`, changed only by explicit `data.preprocess` overrides) and its plugins.
 * With `fetch`, the registry data set of a missing test or runs folder is fetched first.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvalReport> {
  if (!options.model && !options.baseline) throw new ConfigError('give a model folder or a baseline to evaluate');
  if (options.model && options.baseline)
    throw new ConfigError('give either a model or a baseline to evaluate, not both');
  if (!options.model && !options.experiment)
    throw new ConfigError('a baseline needs an experiment (for its data and preprocessing)');
  const progress = options.progress ?? new SilentProgress();
  if (options.out) await checkOutputDir(options.out, 'output folder'); // before any decoding
  const meta = options.model ? await readModelMeta(options.model) : undefined;
  const loaded = await evaluationConfig(options, meta);
  const exp = await openExperiment(loaded);
  const c = loaded.config;
  const runs = options.runs
    ? path.resolve(options.runs)
    : c.data.runs && !c.data.test
      ? path.resolve(loaded.dataRoot, c.data.runs)
      : undefined;
  await fetchExperimentData(experimentDataPaths(loaded, runs ? [] : ['test'], { explicit: runs }), options, progress);
  const model: EpisodeScorer = options.model
    ? await loadModel(options.model)
    : baselineScorerFor(exp, options.baseline!);
  let report: EvalReport;
  try {
    const modelName = options.model ?? baselineName(options.baseline!);
    report = await runEvaluation(exp, model, { ...(runs ? { runs } : {}), modelName, progress });
  } finally {
    model.dispose?.();
  }
  if (options.out) {
    await writeAtomic(path.join(options.out, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
    await writeAtomic(path.join(options.out, 'config.yaml'), configToYaml(loaded));
  }
  return report;
}

/** The experiment of an evaluation: the one given, else the config saved beside the model; the model decides decoding. */
async function evaluationConfig(options: EvaluateOptions, meta: ModelMeta | undefined): Promise<LoadedConfig> {
  const overrides = [...(options.overrides ?? [])];
  let loaded: LoadedConfig;
  if (options.experiment) loaded = await resolveExperiment(options.experiment, overrides, options.backend);
  else {
    const all = [...overrides, ...(options.backend ? [`backend=${options.backend}`] : [])];
    const saved = path.join(options.model!, 'config.yaml');
    if (existsSync(saved)) loaded = await loadConfig(saved, all);
    else if (meta) loaded = parseConfigText(`modality: ${meta.modality}\ndata: {}\n`, '<model>', all);
    else throw new ConfigError('no experiment given');
  }
  if (meta) {
    // the model decides how inputs are decoded and which plugins decode them, except for what the
    // overrides set explicitly (data.preprocess.sampling=last: the same model on other inputs)
    const preprocess = applyOverridesAt(
      meta.preprocess,
      overrides,
      'data.preprocess',
      `${options.model}'s fewshot.json`,
    );
    const config = {
      ...loaded.config,
      modality: meta.modality,
      plugins: [...new Set([...loaded.config.plugins, ...meta.plugins])],
      data: { ...loaded.config.data, preprocess },
    };
    loaded = { ...loaded, config };
  }
  return loaded;
}
