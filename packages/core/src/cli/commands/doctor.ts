import type { CommandModule } from 'yargs';
import type { CliIo, GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  plugin?: string[];
  out?: string;
  data?: string;
}

/** `fewshot doctor`: check the setup and say what to do; a SetupError (exit code 1) only when something required is broken. */
export function doctorCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'doctor',
    describe:
      'Check the setup (Node, packages, backends, ffmpeg, data, cache, output folder) and say how to fix problems',
    builder: (y) =>
      y
        .option('out', { type: 'string', describe: 'output folder to check (default: the working folder)' })
        .option('data', { type: 'string', describe: 'data folder to check (default: $FEWSHOT_DATA, else ./data)' })
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin (package name or path)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
    handler: async (args) => {
      const { formatDoctorReport, runDoctor, setupErrorOf } = await import('../../doctor/run-doctor.js');
      const report = await runDoctor({
        plugins: args.plugin ?? [],
        ...(args.out ? { out: args.out } : {}),
        ...(args.data ? { dataDir: args.data } : {}),
      });
      io.out.write(args.json ? JSON.stringify(report, null, 2) + '\n' : formatDoctorReport(report));
      const broken = setupErrorOf(report);
      if (broken) throw broken;
    },
  };
}
