import type { CommandModule } from 'yargs';
import type { ProgressSink } from '../../progress.js';
import {
  fetchOptionsOf,
  overridesOf,
  percent,
  progressFor,
  withExperimentOptions,
  type CliIo,
  type GlobalArgs,
} from '../command-context.js';

interface Args extends GlobalArgs {
  experiment: string;
  out: string;
  set: string[];
  eval: boolean;
  fetch: boolean;
  mirror?: string;
  resume: boolean;
}

export function trainCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'train <experiment>',
    describe:
      'Train a model from an experiment YAML; writes the best checkpoint, the resolved config and the history to --out (Ctrl-C saves a checkpoint that --resume continues)',
    builder: (y) =>
      withExperimentOptions(
        y
          .positional('experiment', { type: 'string', demandOption: true, describe: 'experiment YAML file' })
          .option('out', { type: 'string', demandOption: true, describe: 'model folder to write' })
          .option('eval', {
            type: 'boolean',
            default: true,
            describe: 'evaluate the best checkpoint on data.runs / data.test afterwards',
          })
          .option('json', { type: 'boolean', default: false, describe: 'print the final result as one JSON object' })
          .option('resume', {
            type: 'boolean',
            default: false,
            describe: 'continue the interrupted run in --out from its checkpoint (same config and --set options)',
          }),
      ) as never,
    handler: async (args) => {
      const { trainExperiment } = await import('../../api/train-experiment.js');
      const progress = progressFor(args, io);
      const summary = await whileInterruptible(progress, (signal) =>
        trainExperiment(args.experiment, {
          out: args.out,
          overrides: overridesOf(args),
          evaluate: args.eval,
          progress,
          resume: args.resume,
          signal,
          ...fetchOptionsOf(args, io),
        }),
      );
      const report = summary.eval;
      if (args.json) io.out.write(JSON.stringify(summary, null, 2) + '\n');
      else if (report)
        io.out.write(
          `${report.ways}-way ${report.shots}-shot accuracy: ${percent(report.accuracy)} ± ${percent(report.ci95)} (95% CI) over ${report.trials} trials (${report.data}), backend ${report.backend}\n`,
        );
    },
  };
}

/**
 * Run `work` with SIGINT and SIGTERM turned into an abort of its signal: training finishes its step,
 * writes a checkpoint and stops with a TrainingInterrupted error (saying how to resume). A second
 * signal ends the process at once.
 */
async function whileInterruptible<T>(progress: ProgressSink, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      progress.log(`${sig} again: stopping at once, without a checkpoint`);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
    progress.log(`${sig}: finishing the current step and writing a checkpoint (${sig} again stops at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
