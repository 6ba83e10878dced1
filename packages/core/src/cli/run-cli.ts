import yargs from 'yargs';
import type { CommandModule } from 'yargs';
import { FewshotError } from '../errors.js';
import { UsageError } from './command-context.js';
import type { CliIo, GlobalArgs } from './command-context.js';
import { trainCommand } from './commands/train-command.js';
import { evalCommand } from './commands/eval-command.js';
import { classifyCommand } from './commands/classify-command.js';
import { combineCommand } from './commands/combine-command.js';
import { pluginsCommand } from './commands/plugins-command.js';
import { perfCommand } from './commands/perf-command.js';
import { dataCommand } from './commands/data-command.js';
import { newPluginCommand } from './commands/new-plugin-command.js';
import { benchCommand } from './commands/bench-command.js';
import { schemaCommand } from './commands/schema-command.js';
import { doctorCommand } from './commands/doctor.js';

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly ((io: CliIo) => CommandModule<GlobalArgs, never>)[] = [
  trainCommand as never,
  evalCommand as never,
  classifyCommand as never,
  combineCommand as never,
  pluginsCommand as never,
  perfCommand as never,
  dataCommand as never,
  newPluginCommand as never,
  benchCommand as never,
  schemaCommand as never,
  doctorCommand as never,
];

/**
 * Run the fewshot CLI on `argv` (without node and the script). Returns the exit code: 0 on success,
 * 1 for a user error (bad config, data, model), 2 for a usage error, 70 for an internal error.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo = { out: process.stdout, err: process.stderr },
): Promise<number> {
  const verbose = argv.includes('--verbose');
  const parser = yargs(argv.slice())
    .scriptName('fewshot')
    .usage('$0 <command> [options]\n\nOne-shot and few-shot learning with Siamese networks.')
    .option('verbose', { type: 'boolean', default: false, describe: 'show stack traces of errors' })
    .option('quiet', { type: 'boolean', default: false, describe: 'no progress output' })
    .demandCommand(1, 'give a command')
    .strict()
    .recommendCommands()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      // yargs' own parse errors come without `err`; ours are UsageErrors; both stop the command here
      throw err && !(err instanceof UsageError) ? err : new UsageError(msg ?? err?.message);
    });
  for (const make of COMMANDS) parser.command(make(io) as CommandModule);
  try {
    await parser.parseAsync();
    return 0;
  } catch (err) {
    return renderError(err, io, verbose);
  }
}

/** The one error path: typed errors as a title plus a few lines; anything else as an internal error. */
export function renderError(err: unknown, io: CliIo, verbose: boolean): number {
  if (err instanceof UsageError) {
    io.err.write(`Usage error: ${err.message}\n(run with --help for usage)\n`);
    return 2;
  }
  if (err instanceof FewshotError) {
    io.err.write(`${err.title}: ${err.message}\n`);
    for (const h of err.hints) io.err.write(`  ${h}\n`);
    if (verbose && err.stack) io.err.write(err.stack + '\n');
    return 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  io.err.write(`Internal error: ${e.message}\n`);
  io.err.write(verbose && e.stack ? e.stack + '\n' : '  (run with --verbose for the stack trace)\n');
  return 70;
}
