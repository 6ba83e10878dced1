import path from 'node:path';
import type { CommandModule } from 'yargs';
import type { CliIo, GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  name: string;
  dir: string;
  core?: string;
}

export function newPluginCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'new-plugin <name>',
    describe:
      'Write a new plugin package to start from: a working example modality and encoder, and a conformance test',
    builder: (y) =>
      y
        .positional('name', { type: 'string', demandOption: true, describe: 'npm package name of the plugin' })
        .option('dir', { type: 'string', demandOption: true, describe: 'folder to create (absent or empty)' })
        .option('core', {
          type: 'string',
          describe:
            "the plugin's @fewshot/core dependency: a version range, or a tarball or folder (default: this fewshot's core)",
        }) as never,
    handler: async (args) => {
      const { scaffoldPlugin } = await import('../../scaffold/scaffold-plugin.js');
      const r = await scaffoldPlugin({
        name: args.name,
        dir: args.dir,
        ...(args.core === undefined ? {} : { core: args.core }),
      });
      const rel = path.relative(process.cwd(), r.dir) || '.';
      io.out.write(
        [
          `created ${r.name} in ${r.dir}: the modality '${r.modality}' and the encoder '${r.encoder}' (@fewshot/core: ${r.coreSpec})`,
          ...r.files.map((f) => `  ${f}`),
          'next:',
          `  cd ${rel} && npm install && npm test`,
          `  npx fewshot plugins --plugin .`,
        ].join('\n') + '\n',
      );
    },
  };
}
