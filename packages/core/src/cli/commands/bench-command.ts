import type { Argv, CommandModule } from 'yargs';
import { FewshotError } from '../../errors.js';
import { formatDuration } from '../../progress.js';
import { fetchOptionsOf, percent, progressFor, type CliIo, type GlobalArgs } from '../command-context.js';

interface RunArgs extends GlobalArgs {
  bench: string;
  out: string;
  dryRun: boolean;
  shard?: string;
  shardCount?: number;
  fetch: boolean;
  mirror?: string;
}
interface CompareArgs extends GlobalArgs {
  old: string;
  new: string;
  maxDrop?: number;
}
interface MergeArgs extends GlobalArgs {
  dirs: string[];
  out: string;
}

/** A cell dropped more than `bench compare --max-drop` allows (exit code 1). */
export class BenchRegressionError extends FewshotError {
  override readonly title = 'Regression';
}

export function benchCommand(io: CliIo): CommandModule<GlobalArgs, GlobalArgs> {
  const run: CommandModule<GlobalArgs, RunArgs> = {
    command: '$0 <bench>',
    describe: 'Run a bench file (tasks x methods) into --out; a rerun resumes, skipping finished cells',
    builder: (y) =>
      y
        .positional('bench', { type: 'string', demandOption: true, describe: 'bench YAML file' })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'output folder (results.json, results.csv, report.md, cells/, episodes/, models/)',
        })
        .option('dry-run', {
          type: 'boolean',
          default: false,
          describe: 'list the cells, which are done, and an estimate of the time left',
        })
        .option('shard', {
          type: 'string',
          describe:
            'run shard i of n (i from 0): --shard 0/3; default from SLURM_ARRAY_TASK_ID/COUNT or JOB_COMPLETION_INDEX',
        })
        .option('shard-count', {
          type: 'number',
          describe: 'number of shards with JOB_COMPLETION_INDEX (a Kubernetes Indexed Job)',
        })
        .option('fetch', {
          type: 'boolean',
          default: false,
          describe: 'first fetch the supported data sets the bench reads when they are missing (fewshot data fetch)',
        })
        .option('mirror', {
          type: 'string',
          describe:
            'with --fetch: take the archives from this URL or folder (default: $FEWSHOT_DATA_MIRROR, else the publishers)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print the report as one JSON object',
        }) as unknown as Argv<RunArgs>,
    handler: async (args) => {
      const { resolveShard } = await import('../../bench/bench-shard.js');
      const { runBench } = await import('../../bench/run-bench.js');
      const shard = resolveShard(args.shard, args.shardCount);
      const report = await runBench(args.bench, {
        out: args.out,
        dryRun: args.dryRun,
        progress: progressFor(args, io),
        fetch: fetchOptionsOf(args, io),
        ...(shard ? { shard } : {}),
      });
      if (args.json) {
        const { results, ...rest } = report;
        io.out.write(
          JSON.stringify(
            args.dryRun
              ? rest
              : { ...rest, accuracy: results?.cells.map((c) => ({ id: c.id, accuracy: c.accuracy, ci95: c.ci95 })) },
          ) + '\n',
        );
        return;
      }
      if (args.dryRun) {
        for (const c of report.cells) io.out.write(`${c.done ? 'done' : 'todo'}  ${c.id}  ${c.key}\n`);
        const done = report.cells.filter((c) => c.done).length;
        io.out.write(
          `${report.cells.length} cells${shard ? ` in shard ${shard.index}/${shard.count} (of ${report.cellsTotal})` : ''}: ${done} done, ${report.cells.length - done} to run; estimated time left ${formatDuration(report.estimateSeconds)}\n`,
        );
        return;
      }
      for (const c of report.results?.cells ?? [])
        io.out.write(`${c.id}: ${percent(c.accuracy)} ± ${percent(c.ci95)} (${c.domain})\n`);
      io.out.write(`${report.ran} cells run, ${report.cells.length - report.ran} reused; results in ${report.out}\n`);
    },
  };
  const compare: CommandModule<GlobalArgs, CompareArgs> = {
    command: 'compare <old> <new>',
    describe:
      'Compare two bench outputs cell by cell (paired where the episodes match); exit 1 when a cell drops more than --max-drop points',
    builder: (y) =>
      y
        .positional('old', {
          type: 'string',
          demandOption: true,
          describe: 'earlier output folder (or its results.json)',
        })
        .positional('new', {
          type: 'string',
          demandOption: true,
          describe: 'later output folder (or its results.json)',
        })
        .option('max-drop', { type: 'number', describe: 'percentage points a cell may lose before the command fails' })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'print the comparison as one JSON object',
        }) as unknown as Argv<CompareArgs>,
    handler: async (args) => {
      const { compareBenchDirs } = await import('../../bench/compare-bench.js');
      const report = compareBenchDirs(args.old, args.new, args.maxDrop ?? null);
      if (args.json) io.out.write(JSON.stringify(report) + '\n');
      else {
        const pts = (x: number): string => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
        for (const c of report.changes)
          io.out.write(
            `${c.regressed ? 'DROP' : '    '}  ${c.id}: ${percent(c.old)} -> ${percent(c.new)} (${pts(c.difference)} ± ${(c.ci95 * 100).toFixed(1)} points, ${c.paired ? 'paired' : 'unpaired'})\n`,
          );
        for (const id of report.removed) io.out.write(`only in old: ${id}\n`);
        for (const id of report.added) io.out.write(`only in new: ${id}\n`);
      }
      if (report.regressions > 0)
        throw new BenchRegressionError(
          `${report.regressions} cell${report.regressions === 1 ? '' : 's'} dropped more than ${args.maxDrop} points`,
          {
            hints: report.changes
              .filter((c) => c.regressed)
              .map((c) => `${c.id}: ${percent(c.old)} -> ${percent(c.new)}`),
          },
        );
    },
  };
  const merge: CommandModule<GlobalArgs, MergeArgs> = {
    command: 'merge <dirs..>',
    describe: 'Combine the outputs of the shards of one bench into --out (refusing gaps, duplicates, other benches)',
    builder: (y) =>
      y
        .positional('dirs', { type: 'string', array: true, demandOption: true, describe: "the shards' output folders" })
        .option('out', {
          type: 'string',
          demandOption: true,
          describe: 'output folder of the merged results',
        }) as unknown as Argv<MergeArgs>,
    handler: async (args) => {
      const { mergeBench } = await import('../../bench/merge-bench.js');
      const r = await mergeBench(args.dirs, args.out);
      io.out.write(`merged ${args.dirs.length} outputs: ${r.cells.length} cells into ${args.out}\n`);
    },
  };
  return {
    command: 'bench',
    describe: 'Benchmark methods x tasks from a bench file (resumable, shardable); `bench compare`, `bench merge`',
    builder: (y) =>
      y
        .command(compare as unknown as CommandModule)
        .command(merge as unknown as CommandModule)
        .command(run as unknown as CommandModule) as unknown as Argv<GlobalArgs>,
    handler: () => {},
  };
}
