import type { CommandModule } from 'yargs';
import type { BackendName } from '../../backend/select-backend.js';
import { UsageError, type CliIo, type GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  encoder: string;
  input: number;
  channels: number;
  backends: string;
  batch: number;
  cpuBatch: number;
  steps: number;
  rounds: number;
  workers: string;
}

const KNOWN: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export function perfCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'perf',
    describe:
      'Measure train and embed speed (images/s, effective GFLOP/s) of an encoder on several backends, side by side',
    builder: (y) =>
      y
        .option('encoder', { type: 'string', default: 'conv4', describe: 'encoder id (see `fewshot plugins`)' })
        .option('input', { type: 'number', default: 28, describe: 'input height and width' })
        .option('channels', { type: 'number', default: 1, describe: 'input channels' })
        .option('backends', {
          type: 'string',
          default: 'wasm,cpu,tensorflow',
          describe: 'comma-separated backends to compare',
        })
        .option('batch', { type: 'number', default: 64, describe: 'pairs per training step' })
        .option('cpu-batch', {
          type: 'number',
          default: 4,
          describe: 'pairs per training step on the (slow) cpu backend',
        })
        .option('steps', { type: 'number', default: 5, describe: 'timed training steps per round' })
        .option('rounds', {
          type: 'number',
          default: 3,
          describe: 'rounds alternating the backends (medians reported)',
        })
        .option('workers', {
          type: 'string',
          default: '1',
          describe:
            'comma-separated worker-thread counts to compare on wasm (as train.workers; 1 = in-process), e.g. 1,2',
        })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }) as never,
    handler: async (args) => {
      const backends = args.backends
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean);
      for (const b of backends)
        if (!KNOWN.includes(b as BackendName))
          throw new UsageError(`unknown backend '${b}' in --backends (known: ${KNOWN.join(', ')})`);
      const { createContainer } = await import('../../container.js');
      const { measureSpeed } = await import('../../perf/measure-speed.js');
      const c = await createContainer([], process.cwd());
      const report = await measureSpeed({
        backends: backends as BackendName[],
        encoder: c.registry.encoder(args.encoder),
        input: [args.input, args.input, args.channels],
        batchSize: args.batch,
        cpuBatchSize: args.cpuBatch,
        steps: args.steps,
        rounds: args.rounds,
        embedImages: 2048,
        workers: parseWorkers(String(args.workers)),
        ...(args.quiet ? {} : { onProgress: (l: string) => io.err.write(l + '\n') }),
      });
      if (args.json) {
        io.out.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const lines = [
        `${report.encoder} at ${report.input.join('x')} (${report.forwardMflopsPerImage.toFixed(1)} MFLOP forward per image); medians`,
      ];
      lines.push('backend     workers  train img/s  train GFLOP/s  embed img/s  embed GFLOP/s');
      for (const b of report.backends) {
        if (!b.available) lines.push(`${b.backend.padEnd(11)} not available: ${b.error}`);
        else
          lines.push(
            `${b.backend.padEnd(11)} ${String(b.workers ?? 1).padStart(7)}  ${b.trainImagesPerSecond!.toFixed(1).padStart(11)}  ${b.trainGflops!.toFixed(2).padStart(13)}  ${b.embedImagesPerSecond!.toFixed(0).padStart(11)}  ${b.embedGflops!.toFixed(2).padStart(13)}`,
          );
      }
      io.out.write(lines.join('\n') + '\n');
    },
  };
}

function parseWorkers(text: string): number[] {
  const list = text.split(',').map((w) => Number(w.trim()));
  for (const w of list)
    if (!Number.isInteger(w) || w < 1 || w > 64)
      throw new UsageError(`--workers takes whole numbers from 1 to 64, got '${text}'`);
  return [...new Set(list)];
}
