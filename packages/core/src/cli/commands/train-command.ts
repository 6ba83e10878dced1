import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { configToYaml, loadConfig } from '../../config/load-config.js';
import { buildModel, loadSplits, openExperiment } from '../../experiment.js';
import { trainPairModel, type TrainResult } from '../../train/trainer.js';
import { PairModel } from '../../model/pair-model.js';
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
      const model = await buildModel(exp);
      let result: Pick<TrainResult, 'bestEpoch' | 'bestValAccuracy' | 'seconds'> & { stoppedBecause: TrainResult['stoppedBecause'] | 'not-trained' };
      if (c.train.epochs === 0) {
        // a model made of trained parts (e.g. a video encoder around a trained image model): saved as built
        await model.save(outDir, { 'config.yaml': configToYaml(loaded) });
        result = { bestEpoch: 0, bestValAccuracy: null, stoppedBecause: 'not-trained', seconds: 0 };
        progress.log(`train.epochs is 0: saved the model as built, without training, to ${outDir}`);
      } else {
        const splits = await loadSplits(exp, ['train', 'validation'], progress);
        if (!splits.train) throw new ConfigError(`${loaded.file}: data.train is required to train (or set train.epochs: 0 to save the model as built)`);
        progress.log(`train: ${splits.train.set.classes.length} classes, ${splits.train.set.size} samples` + (splits.validation ? `; validation: ${splits.validation.set.classes.length} classes, ${splits.validation.set.size} samples` : '; no validation split'));
        result = await trainPairModel({
          model,
          config: c,
          modality: exp.modality,
          preprocess: exp.preprocess,
          train: splits.train,
          ...(splits.validation ? { validation: splits.validation } : {}),
          outDir,
          rng: new Rng(c.seed),
          progress,
          extraFiles: { 'config.yaml': configToYaml(loaded) },
          // workers build the model themselves: they load the plugins that may define its layers
          modules: exp.plugins.plugins.map((p) => pathToFileURL(p.resolved).href),
        });
        progress.log(`trained in ${formatDuration(result.seconds)} (${result.stoppedBecause}); best epoch ${result.bestEpoch}` +
          (result.bestValAccuracy !== null ? `, validation accuracy ${percent(result.bestValAccuracy)}` : '') + `; saved to ${outDir}`);
      }
      model.dispose();
      const summary: Record<string, unknown> = {
        model: outDir,
        backend: exp.backend.name,
        bestEpoch: result.bestEpoch,
        bestValAccuracy: result.bestValAccuracy,
        stoppedBecause: result.stoppedBecause,
        trainSeconds: result.seconds,
      };
      if (args.eval && (c.data.runs || c.data.test)) {
        const best = await PairModel.load(outDir);
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
