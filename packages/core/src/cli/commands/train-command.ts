import type { CommandModule } from 'yargs';
import { trainExperiment } from '../../api/train-experiment.js';
import { fetchOptionsOf, overridesOf, percent, progressFor, withExperimentOptions, type CliIo, type GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  experiment: string;
  out: string;
  set: string[];
  eval: boolean;
  fetch: boolean;
  mirror?: string;
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
      const summary = await trainExperiment(args.experiment, { out: args.out, overrides: overridesOf(args), evaluate: args.eval, progress: progressFor(args, io), ...fetchOptionsOf(args, io) });
      const report = summary.eval;
      if (args.json) io.out.write(JSON.stringify(summary, null, 2) + '\n');
      else if (report) io.out.write(`${report.ways}-way ${report.shots}-shot accuracy: ${percent(report.accuracy)} ± ${percent(report.ci95)} (95% CI) over ${report.trials} trials (${report.data}), backend ${report.backend}\n`);
    },
  };
}
