import type { CommandModule } from 'yargs';
import type { CliIo, GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  plugin?: string[];
}

export function pluginsCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'plugins',
    describe: 'List the loaded plugins with their modalities, encoders, baselines and training objectives',
    builder: (y) =>
      y
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin (package name or path)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
    handler: async (args) => {
      const { formatPluginReport, listPlugins } = await import('../../api/list-plugins.js');
      const report = await listPlugins(args.plugin ?? [], process.cwd());
      io.out.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatPluginReport(report));
    },
  };
}
