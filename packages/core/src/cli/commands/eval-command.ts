import path from 'node:path';
import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { configToYaml, loadConfig, parseConfigText, type LoadedConfig } from '../../config/load-config.js';
import { openExperiment, pixelBaseline } from '../../experiment.js';
import { loadModel, readModelMeta, type ModelMeta } from '../../model/ensemble-model.js';
import { runEvaluation } from '../../eval/run-evaluation.js';
import { writeAtomic } from '../../model/model-io.js';
import { ConfigError } from '../../errors.js';
import { parseOverride } from '../../config/apply-overrides.js';
import { baselineScorer, type EpisodeScorer } from '../../baseline.js';
import type { Experiment } from '../../experiment.js';
import { UsageError, overridesOf, percent, progressFor, withExperimentOptions, type CliIo, type GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  experiment?: string;
  model?: string;
  runs?: string;
  baseline?: string;
  out?: string;
  set: string[];
}

export function evalCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'eval [experiment]',
    describe: 'Evaluate a trained model (or a baseline: pixel, or one a plugin provides) on explicit one-shot runs or on random N-way K-shot episodes',
    builder: (y) =>
      withExperimentOptions(
        y
          .positional('experiment', { type: 'string', describe: 'experiment YAML (data.test and eval settings); defaults to the config saved with --model' })
          .option('model', { type: 'string', describe: 'model folder written by `fewshot train`' })
          .option('baseline', { type: 'string', describe: "evaluate a parameter-free baseline instead of a model: 'pixel' (nearest neighbour on the decoded input) or a plugin's (see `fewshot plugins`)" })
          .option('runs', { type: 'string', describe: "folder of explicit runs in Lake's format (runNN/training, runNN/test, runNN/class_labels.txt)" })
          .option('out', { type: 'string', describe: 'write eval.json and the resolved config.yaml to this folder' })
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON object on stdout' })
          .check((a) => {
            if (!a.model && !a.baseline) throw new UsageError('give --model DIR or --baseline pixel');
            if (a.model && a.baseline) throw new UsageError('give either --model or --baseline, not both');
            if (!a.model && !a.experiment) throw new UsageError('--baseline needs an experiment YAML (for its data and preprocessing)');
            return true;
          }),
      ) as never,
    handler: async (args) => {
      const progress = progressFor(args, io);
      let meta: ModelMeta | undefined;
      if (args.model) meta = await readModelMeta(args.model);
      const loaded = await loadExperiment(args, meta);
      const exp = await openExperiment(loaded);
      const model: EpisodeScorer = args.model
        ? await loadModel(args.model)
        : args.baseline === 'pixel'
          ? pixelBaseline(exp)
          : pluginBaseline(exp, args.baseline!);
      const runs = args.runs ? path.resolve(args.runs) : loaded.config.data.runs && !loaded.config.data.test ? path.resolve(loaded.dataRoot, loaded.config.data.runs) : undefined;
      const modelName = args.model ?? (args.baseline === 'pixel' ? 'pixel nearest neighbour' : `baseline ${args.baseline}`);
      const report = await runEvaluation(exp, model, { ...(runs ? { runs } : {}), modelName, progress });
      model.dispose?.();
      if (args.out) {
        await writeAtomic(path.join(args.out, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
        await writeAtomic(path.join(args.out, 'config.yaml'), configToYaml(loaded));
      }
      if (args.json) io.out.write(JSON.stringify(report) + '\n');
      else
        io.out.write(
          `${report.ways}-way ${report.shots}-shot accuracy: ${percent(report.accuracy)} ± ${percent(report.ci95)} (95% CI over ${report.episodes} episodes, ${report.trials} trials)\n` +
            `model: ${report.model} (${report.modelKind}); data: ${report.data}; backend: ${report.backend}; ${report.seconds.toFixed(1)} s\n`,
        );
    },
  };
}

/** The experiment of an evaluation: the YAML given, else the config saved beside the model; the model decides decoding. */
async function loadExperiment(args: Args, meta: ModelMeta | undefined): Promise<LoadedConfig> {
  const overrides = overridesOf(args);
  let loaded: LoadedConfig;
  if (args.experiment) loaded = await loadConfig(args.experiment, overrides);
  else {
    const saved = path.join(args.model!, 'config.yaml');
    if (existsSync(saved)) loaded = await loadConfig(saved, overrides);
    else if (meta) loaded = parseConfigText(`modality: ${meta.modality}\ndata: {}\n`, '<model>', overrides);
    else throw new ConfigError('no experiment given');
  }
  if (meta) {
    // the model decides how inputs are decoded and which plugins decode them, except for what the
    // command line sets explicitly (--set data.preprocess.sampling=last: the same model on other inputs)
    const preprocess = preprocessWithOverrides(meta.preprocess, args.set ?? []);
    const config = { ...loaded.config, modality: meta.modality, plugins: [...new Set([...loaded.config.plugins, ...meta.plugins])], data: { ...loaded.config.data, preprocess } };
    loaded = { ...loaded, config };
  }
  return loaded;
}

/**
 * The model's saved preprocessing with the command line's `--set data.preprocess...` overrides applied
 * on top (the rest of the experiment's `data.preprocess` is ignored: the model decides decoding).
 */
export function preprocessWithOverrides(saved: Readonly<Record<string, unknown>>, sets: readonly string[]): Record<string, unknown> {
  let out: Record<string, unknown> = structuredClone({ ...saved });
  for (const text of sets) {
    const { path: keys, value } = parseOverride(text);
    if (keys[0] !== 'data' || keys[1] !== 'preprocess') continue;
    if (keys.length === 2) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`--set ${text}: data.preprocess must be a mapping`);
      out = { ...out, ...(value as Record<string, unknown>) };
      continue;
    }
    let node: Record<string, unknown> = out;
    for (const key of keys.slice(2, -1)) {
      const next = node[key];
      node = node[key] = next !== null && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    }
    node[keys.at(-1)!] = value;
  }
  return out;
}

/** A plugin's baseline for the experiment's modality, wrapped for episodic evaluation. */
function pluginBaseline(exp: Experiment, id: string): EpisodeScorer {
  const baseline = exp.plugins.registry.baseline(id);
  if (baseline.modalities.length > 0 && !baseline.modalities.includes(exp.modality.id)) {
    throw new ConfigError(`the baseline '${id}' works on ${baseline.modalities.join(', ')} data, but ${exp.loaded.file} uses the '${exp.modality.id}' modality`);
  }
  return baselineScorer(baseline, exp.sampleShape);
}
