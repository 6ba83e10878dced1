import { availableParallelism } from 'node:os';
import type { CommandModule } from 'yargs';
import type { EvalReport } from '../../eval/run-evaluation.js';
import { prewarmPlanWorkers } from '../../eval/plan-worker-pool.js';
import {
  UsageError,
  fetchOptionsOf,
  overridesOf,
  percent,
  progressFor,
  withExperimentOptions,
  type CliIo,
  type GlobalArgs,
} from '../command-context.js';

interface Args extends GlobalArgs {
  experiment?: string;
  model?: string;
  runs?: string;
  baseline?: string;
  out?: string;
  set: string[];
  fetch: boolean;
  mirror?: string;
}

export function evalCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'eval [experiment]',
    describe:
      'Evaluate a trained model (or a baseline: pixel, or one a plugin provides) on explicit one-shot runs or on random N-way K-shot episodes',
    builder: (y) =>
      withExperimentOptions(
        y
          .positional('experiment', {
            type: 'string',
            describe: 'experiment YAML (data.test and eval settings); defaults to the config saved with --model',
          })
          .option('model', { type: 'string', describe: 'model folder written by `fewshot train`' })
          .option('baseline', {
            type: 'string',
            describe:
              "evaluate a parameter-free baseline instead of a model: 'pixel' (nearest neighbour on the decoded input) or a plugin's (see `fewshot plugins`)",
          })
          .option('runs', {
            type: 'string',
            describe: "folder of explicit runs in Lake's format (runNN/training, runNN/test, runNN/class_labels.txt)",
          })
          .option('out', { type: 'string', describe: 'write eval.json and the resolved config.yaml to this folder' })
          .option('json', { type: 'boolean', default: false, describe: 'print one JSON object on stdout' })
          .check((a) => {
            if (!a.model && !a.baseline) throw new UsageError('give --model DIR or --baseline pixel');
            if (a.model && a.baseline) throw new UsageError('give either --model or --baseline, not both');
            if (!a.model && !a.experiment)
              throw new UsageError('--baseline needs an experiment YAML (for its data and preprocessing)');
            return true;
          }),
      ) as never,
    handler: async (args) => {
      // a model is embedded on worker threads: start one now, to load while this thread loads the rest
      const warm = args.model && availableParallelism() > 1 ? prewarmPlanWorkers(1) : undefined;
      let report: EvalReport;
      try {
        const { evaluate } = await import('../../api/evaluate.js');
        report = await evaluate({
          ...(args.model ? { model: args.model } : {}),
          ...(args.baseline ? { baseline: args.baseline } : {}),
          ...(args.experiment ? { experiment: args.experiment } : {}),
          ...(args.runs ? { runs: args.runs } : {}),
          ...(args.out ? { out: args.out } : {}),
          overrides: overridesOf(args),
          progress: progressFor(args, io),
          ...fetchOptionsOf(args, io),
        });
      } finally {
        await warm?.release();
      }
      if (args.json) io.out.write(JSON.stringify(report) + '\n');
      else
        io.out.write(
          `${report.ways}-way ${report.shots}-shot accuracy: ${percent(report.accuracy)} ± ${percent(report.ci95)} (95% CI over ${report.episodes} episodes, ${report.trials} trials)\n` +
            `model: ${report.model} (${report.modelKind}${scoring(report)}); data: ${report.data}; backend: ${report.backend}; ${report.seconds.toFixed(1)} s\n`,
        );
    },
  };
}

/** How the embeddings were scored, when not plainly: test-time views, L2 normalisation. */
function scoring(report: { readonly ttaViews: number; readonly normalize: string }): string {
  const parts = [
    ...(report.ttaViews > 1 ? [`${report.ttaViews} views`] : []),
    ...(report.normalize !== 'none' ? [`${report.normalize}-normalised`] : []),
  ];
  return parts.length > 0 ? `, ${parts.join(', ')}` : '';
}
