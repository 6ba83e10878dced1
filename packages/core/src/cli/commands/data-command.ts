import type { Argv, CommandModule } from 'yargs';
import type { CliIo, GlobalArgs } from '../command-context.js';

/** Options of the `fewshot data` subcommands. */
export interface DataArgs extends GlobalArgs {
  name?: string;
  names?: string[];
  dir?: string;
  to?: string;
  mirror?: string;
  timeout?: number;
  retries?: number;
  limit?: number;
  sample?: number;
  path?: string;
  modality?: string;
  layout?: string;
  ways?: number;
  shots?: number;
  queries?: number;
  plugin?: string[];
}

/** `fewshot data list | fetch | verify | check`: the supported data sets, and a user's own folders. */
export function dataCommand(io: CliIo): CommandModule<GlobalArgs, DataArgs> {
  const dirOption = <T>(y: Argv<T>) =>
    y.option('dir', { type: 'string', describe: 'data folder (default: $FEWSHOT_DATA, else ./data)' });
  return {
    command: 'data',
    describe: 'Fetch, verify and list the supported data sets; check your own class-per-folder data',
    builder: (y) =>
      y
        .command<DataArgs>({
          command: 'list',
          describe: 'The supported data sets and whether each is in the data folder',
          builder: (s) =>
            dirOption(s).option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as Argv<DataArgs>,
          handler: async (args) => (await import('./data-actions.js')).list(args, io),
        })
        .command<DataArgs>({
          command: 'fetch <names..>',
          describe:
            'Download data sets, check their checksums and unpack them into the data folder (or make those that are made)',
          builder: (s) =>
            s
              .positional('names', { type: 'string', array: true, describe: 'data sets (fewshot data list)' })
              .option('to', {
                type: 'string',
                describe: 'data folder to fetch into (default: $FEWSHOT_DATA, else ./data)',
              })
              .option('mirror', {
                type: 'string',
                describe: 'URL or folder holding copies of the archives (default: $FEWSHOT_DATA_MIRROR)',
              })
              .option('timeout', {
                type: 'number',
                default: 30,
                describe: 'seconds without data before a try is given up',
              })
              .option('retries', {
                type: 'number',
                default: 3,
                describe: 'further tries after a failed one (with backoff)',
              })
              .option('limit', {
                type: 'number',
                describe:
                  'a data set that is made: make only the first N samples, a subset left in <folder>.making (a quick check)',
              })
              .option('plugin', {
                type: 'string',
                array: true,
                describe: 'also load this plugin (package name or path): a data set maker it provides',
              }) as Argv<DataArgs>,
          handler: async (args) => (await import('./data-actions.js')).fetch(args, io),
        })
        .command<DataArgs>({
          command: 'verify [name]',
          describe: 'Check an unpacked data set (default: every one present) against the registry',
          builder: (s) =>
            dirOption(s)
              .positional('name', {
                type: 'string',
                describe: 'data set (fewshot data list); all present ones when left out',
              })
              .option('sample', {
                type: 'number',
                describe: 'decode only the first N files of each class (default: every file)',
              })
              .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as Argv<DataArgs>,
          handler: async (args) => (await import('./data-actions.js')).verify(args, io),
        })
        .command<DataArgs>({
          command: 'check <path>',
          describe: 'Check your own class-per-folder data for few-shot episodes',
          builder: (s) =>
            s
              .positional('path', { type: 'string', describe: 'folder with one sub-folder per class' })
              .option('modality', {
                type: 'string',
                demandOption: true,
                describe: 'modality of the files (fewshot plugins)',
              })
              .option('layout', { type: 'string', default: 'folder', describe: 'layout of the folder' })
              .option('ways', { type: 'number', default: 5, describe: 'classes per episode' })
              .option('shots', { type: 'number', default: 1, describe: 'support samples per class' })
              .option('queries', { type: 'number', default: 1, describe: 'query samples per class' })
              .option('plugin', {
                type: 'string',
                array: true,
                describe: 'also load this plugin (package name or path)',
              })
              .option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as Argv<DataArgs>,
          handler: async (args) => (await import('./data-actions.js')).check(args, io),
        })
        .demandCommand(1, 'give a data command: list, fetch, verify or check') as unknown as Argv<DataArgs>,
    handler: () => {},
  };
}
