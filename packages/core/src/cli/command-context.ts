import type { Argv } from 'yargs';
import { StreamProgress, SilentProgress, type ProgressSink } from '../progress.js';
import type { BackendChoice } from '../backend/select-backend.js';
import { SilentByteProgress, StreamByteProgress } from '../data-sets/byte-progress.js';
import type { FetchDataOptions } from '../data-sets/fetch-experiment-data.js';

/** Where a command writes: results to `out` (stdout), progress and messages to `err` (stderr). */
export interface CliIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Options every command accepts. */
export interface GlobalArgs {
  backend?: BackendChoice;
  verbose?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function progressFor(args: GlobalArgs, io: CliIo): ProgressSink {
  return args.quiet ? new SilentProgress() : new StreamProgress(io.err);
}

/** `--set key=value` (repeatable), `--backend`, `--cache`, `--fetch` and `--mirror`, shared by the commands that read an experiment. */
export function withExperimentOptions<T>(y: Argv<T>) {
  return y
    .option('set', {
      type: 'string',
      array: true,
      default: [] as string[],
      describe: 'override a config value: --set train.epochs=5 (repeatable)',
    })
    .option('backend', {
      choices: ['auto', 'tensorflow', 'wasm', 'cpu'] as const,
      describe: 'compute backend (overrides the config)',
    })
    .option('cache', {
      type: 'boolean',
      describe: 'use the decoded-data cache (default: data.cache); --no-cache decodes afresh and writes nothing',
    })
    .option('fetch', {
      type: 'boolean',
      default: false,
      describe:
        'fetch a missing data folder that a supported data set provides (as `fewshot data fetch NAME`) before reading it',
    })
    .option('mirror', {
      type: 'string',
      describe: 'with --fetch: URL or folder holding copies of the archives (default: $FEWSHOT_DATA_MIRROR)',
    });
}

/** `--fetch` / `--mirror` as library options; download progress on stderr, as `fewshot data fetch` shows it. */
export function fetchOptionsOf(args: GlobalArgs & { fetch?: boolean; mirror?: string }, io: CliIo): FetchDataOptions {
  if (!args.fetch) return {};
  return {
    fetch: true,
    ...(args.mirror ? { mirror: args.mirror } : {}),
    fetchProgress: args.quiet ? new SilentByteProgress() : new StreamByteProgress(io.err),
  };
}

/** `--backend X` becomes an override, so the resolved config saved with the results records it. */
export function overridesOf(args: { set?: string[]; backend?: string; cache?: boolean }): string[] {
  return [
    ...(args.set ?? []),
    ...(args.backend ? [`backend=${args.backend}`] : []),
    ...(args.cache === false ? ['data.cache=false'] : []),
  ];
}

export function percent(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A wrong combination of command-line options (exit code 2, like yargs' own usage errors). */
export class UsageError extends Error {}
