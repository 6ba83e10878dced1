import type { CommandModule } from 'yargs';
import { progressFor, type CliIo, type GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  model: string;
  support: string;
  files: string[];
  top: number;
}

export function classifyCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'classify <files..>',
    describe:
      'Classify files by their nearest support class (one sub-folder per class in --support, one or more examples each)',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'files to classify' })
        .option('model', { type: 'string', demandOption: true, describe: 'model folder written by `fewshot train`' })
        .option('support', { type: 'string', demandOption: true, describe: 'support folder: <class>/<example files>' })
        .option('top', { type: 'number', default: 3, describe: 'how many classes to list per file' })
        .option('backend', {
          choices: ['auto', 'tensorflow', 'wasm', 'cpu'] as const,
          default: 'auto' as const,
          describe: 'compute backend',
        })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON array' }) as never,
    handler: async (args) => {
      const { classify } = await import('../../api/classify.js');
      const result = await classify({
        model: args.model,
        support: args.support,
        files: args.files,
        top: args.top,
        backend: args.backend ?? 'auto',
        progress: progressFor(args, io),
      });
      if (args.json) io.out.write(JSON.stringify(result) + '\n');
      else
        for (const r of result.results)
          io.out.write(
            `${r.file}: ${r.label}  (${r.ranking.map((x) => `${x.label} ${x.score.toFixed(3)}`).join(', ')})\n`,
          );
    },
  };
}
