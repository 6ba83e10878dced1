import type { CommandModule } from 'yargs';
import type { CliIo, GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  models: string[];
  out: string;
  force: boolean;
}

export function combineCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'combine <models..>',
    describe:
      'Put trained models (pair models or ensembles) together as one ensemble folder, scored by the mean of all members',
    builder: (y) =>
      y
        .positional('models', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'model folders written by `fewshot train` (two or more)',
        })
        .option('out', { type: 'string', demandOption: true, describe: 'the ensemble folder to write' })
        .option('force', {
          type: 'boolean',
          default: false,
          describe: 'replace --out when it already holds files',
        }) as never,
    handler: async (args) => {
      const { combineModels } = await import('../../model/combine-models.js');
      const result = await combineModels({ models: args.models, out: args.out, force: args.force });
      for (const m of result.members) io.out.write(`${m.name} <- ${m.from}\n`);
      io.out.write(
        `wrote ${args.out}: an ensemble of ${result.members.length} members, ${result.embeddingSize}-value embeddings\n`,
      );
    },
  };
}
