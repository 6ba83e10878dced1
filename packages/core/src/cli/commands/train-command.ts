import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { configToYaml, loadConfig } from '../../config/load-config.js';
import type { ExperimentConfig } from '../../config/experiment-schema.js';
import { buildModel, loadSplits, openExperiment } from '../../experiment.js';
import { trainPairModel, validationEpisodes, type TrainResult } from '../../train/trainer.js';
import type { PairModelMeta } from '../../model/pair-model.js';
import { EnsembleModel, loadModel, saveEnsembleMeta } from '../../model/ensemble-model.js';
import { evaluateEpisodes } from '../../eval/evaluate-episodes.js';
import type { EpisodeScorer } from '../../baseline.js';
import type { ProgressSink } from '../../progress.js';
import { promises as fs } from 'node:fs';
import { writeAtomic } from '../../model/model-io.js';
import { runEvaluation } from '../../eval/run-evaluation.js';
import { ConfigError } from '../../errors.js';
import { Rng } from '../../rng.js';
import { formatDuration } from '../../progress.js';
import { overridesOf, percent, progressFor, withExperimentOptions, type CliIo, type GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  experiment: string;
  out: string;
  set: string[];
  eval: boolean;
}

export function trainCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'train <experiment>',
    describe: 'Train a model from an experiment YAML; writes the best checkpoint, the resolved config and the history to --out',
    builder: (y) =>
      withExperimentOptions(
        y
          .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment YAML file' })
          .option('out', { type: 'string', demandOption: true, describe: 'model folder to write' })
          .option('eval', { type: 'boolean', default: true, describe: 'evaluate the best checkpoint on data.runs / data.test afterwards' })
          .option('json', { type: 'boolean', default: false, describe: 'print the final result as one JSON object' }),
      ) as never,
    handler: async (args) => {
      const progress = progressFor(args, io);
      const loaded = await loadConfig(args.experiment, overridesOf(args));
      const exp = await openExperiment(loaded);
      const c = loaded.config;
      progress.log(`fewshot train '${c.name}': ${c.model.type} ${c.model.type === 'siamese' ? `${c.model.encoder ?? exp.modality.defaultEncoder} + ${c.model.head}` : ''} on the ${exp.backend.name} backend`);
      const outDir = path.resolve(args.out);
      const members = c.model.ensemble;
      let result: Pick<TrainResult, 'bestEpoch' | 'bestValAccuracy' | 'seconds'> & { stoppedBecause: TrainResult['stoppedBecause'] | 'not-trained' };
      const summary: Record<string, unknown> = { model: outDir, backend: exp.backend.name };
      if (c.train.epochs === 0) {
        if (members > 1) throw new ConfigError(`${loaded.file}: model.ensemble is ${members}, but train.epochs is 0: an ensemble's members must be trained (set model.ensemble: 1 to save a model as built)`);
        // a model made of trained parts (e.g. a video encoder around a trained image model): saved as built
        const model = await buildModel(exp);
        await model.save(outDir, { 'config.yaml': configToYaml(loaded) });
        model.dispose();
        result = { bestEpoch: 0, bestValAccuracy: null, stoppedBecause: 'not-trained', seconds: 0 };
        progress.log(`train.epochs is 0: saved the model as built, without training, to ${outDir}`);
      } else {
        const splits = await loadSplits(exp, ['train', 'validation'], progress);
        if (!splits.train) throw new ConfigError(`${loaded.file}: data.train is required to train (or set train.epochs: 0 to save the model as built)`);
        progress.log(`train: ${splits.train.set.classes.length} classes, ${splits.train.set.size} samples` + (splits.validation ? `; validation: ${splits.validation.set.classes.length} classes, ${splits.validation.set.size} samples` : '; no validation split'));
        const runs = memberRuns(c);
        if (members > 1) await clearModelFolder(outDir, progress);
        const results: TrainResult[] = [];
        const metas: PairModelMeta[] = [];
        for (const [k, run] of runs.entries()) {
          if (members > 1) progress.log(`ensemble member ${k + 1}/${members}: seed ${run.config.seed}${run.config.train.timeLimitMinutes ? `, ${formatDuration(run.config.train.timeLimitMinutes * 60)}` : ''}, into ${path.join(outDir, run.dir)}`);
          const model = await buildModel(exp, run.config.seed);
          try {
            results.push(
              await trainPairModel({
                model,
                config: run.config,
                modality: exp.modality,
                preprocess: exp.preprocess,
                train: splits.train,
                ...(splits.validation ? { validation: splits.validation } : {}),
                outDir: path.join(outDir, run.dir),
                rng: new Rng(run.config.seed),
                progress,
                extraFiles: { 'config.yaml': configToYaml({ ...loaded, config: run.config }) },
                // workers build the model themselves: they load the plugins that may define its layers
                modules: exp.plugins.plugins.map((p) => pathToFileURL(p.resolved).href),
                objective: exp.plugins.registry.objective(run.config.train.objective),
              }),
            );
            metas.push(model.meta);
          } finally {
            model.dispose();
          }
        }
        const seconds = results.reduce((s, r) => s + r.seconds, 0);
        if (members === 1) {
          result = results[0]!;
        } else {
          await saveEnsembleMeta(outDir, EnsembleModel.metaOf(metas, runs.map((r) => r.dir)), { 'config.yaml': configToYaml(loaded) });
          summary['members'] = results.map((r, k) => ({ folder: runs[k]!.dir, bestEpoch: r.bestEpoch, bestValAccuracy: r.bestValAccuracy, stoppedBecause: r.stoppedBecause, trainSeconds: r.seconds }));
          let valAccuracy: number | null = null;
          if (splits.validation) {
            // member 1's validation episodes (the config's seed): the ensemble against a single model
            const episodes = validationEpisodes(splits.validation, c.train, new Rng(c.seed));
            const ensemble = (await loadModel(outDir)) as EnsembleModel;
            try {
              const on = (m: EpisodeScorer): number => evaluateEpisodes(m, splits.validation!.store, episodes, { batchSize: c.eval.batchSize }).accuracy;
              valAccuracy = on(ensemble);
              const each = ensemble.members.map(on);
              summary['memberValAccuracy'] = each;
              progress.log(`ensemble of ${members}: validation ${c.train.validation.ways}-way ${c.train.validation.shots}-shot accuracy ${percent(valAccuracy)}; its members on the same episodes: ${each.map(percent).join(', ')}`);
            } finally {
              ensemble.dispose();
            }
          }
          result = { bestEpoch: results[0]!.bestEpoch, bestValAccuracy: valAccuracy, stoppedBecause: results.at(-1)!.stoppedBecause, seconds };
        }
        progress.log(`trained in ${formatDuration(seconds)} (${result.stoppedBecause}); ` + (members > 1 ? `ensemble of ${members}` : `best epoch ${result.bestEpoch}`) +
          (result.bestValAccuracy !== null ? `, validation accuracy ${percent(result.bestValAccuracy)}` : '') + `; saved to ${outDir}`);
      }
      Object.assign(summary, {
        bestEpoch: members > 1 ? null : result.bestEpoch,
        bestValAccuracy: result.bestValAccuracy,
        stoppedBecause: result.stoppedBecause,
        trainSeconds: result.seconds,
      });
      if (args.eval && (c.data.runs || c.data.test)) {
        const best = await loadModel(outDir);
        const runs = c.data.runs ? path.resolve(loaded.dataRoot, c.data.runs) : undefined;
        const report = await runEvaluation(exp, best, { ...(runs ? { runs } : {}), modelName: outDir, progress });
        best.dispose();
        await writeAtomic(path.join(outDir, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
        summary['eval'] = report;
        if (!args.json) io.out.write(`${report.ways}-way ${report.shots}-shot accuracy: ${percent(report.accuracy)} ± ${percent(report.ci95)} (95% CI) over ${report.trials} trials (${report.data}), backend ${report.backend}\n`);
      }
      if (args.json) io.out.write(JSON.stringify(summary, null, 2) + '\n');
    },
  };
}

/**
 * What `fewshot train` trains: the model itself into --out, or with `model.ensemble: N`, N members into
 * `member-1` ... `member-N`, member k with seed `seed + k` and an equal share of `train.timeLimitMinutes`;
 * each member's config is the one it is trained with (a single model), saved in its folder.
 */
function memberRuns(c: ExperimentConfig): { dir: string; config: ExperimentConfig }[] {
  const n = c.model.ensemble;
  if (n === 1) return [{ dir: '.', config: c }];
  const limit = c.train.timeLimitMinutes;
  return Array.from({ length: n }, (_, k) => ({
    dir: `member-${k + 1}`,
    config: { ...c, seed: c.seed + k, model: { ...c.model, ensemble: 1 }, train: { ...c.train, ...(limit ? { timeLimitMinutes: limit / n } : {}) } },
  }));
}

/**
 * Before training an ensemble into `dir`: remove the model files an earlier run left there (a single
 * model's or an ensemble's), so that the folder is never taken for the old model while members train.
 */
async function clearModelFolder(dir: string, progress: ProgressSink): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return; // no folder yet
  }
  const old = names.filter((n) => ['fewshot.json', 'encoder', 'head', 'history.json', 'eval.json', 'config.yaml'].includes(n) || /^member-\d+$/.test(n));
  if (old.length === 0) return;
  progress.log(`replacing the model in ${dir}: removing ${old.join(', ')}`);
  // the manifest first: a folder without it is not taken for a model
  for (const n of ['fewshot.json', ...old.filter((n) => n !== 'fewshot.json')]) await fs.rm(path.join(dir, n), { recursive: true, force: true });
}
