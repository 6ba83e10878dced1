import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  FewshotError,
  PairModel,
  StreamProgress,
  buildModel,
  configToYaml,
  loadConfig,
  openExperiment,
  runEvaluation,
  writeAtomic,
  type ProgressSink,
} from '@fewshot/core';

export interface BuildModelIo {
  readonly out: NodeJS.WritableStream;
  readonly err: NodeJS.WritableStream;
}

const USAGE = `Usage: build-model <experiment.yaml> --out DIR [--set key=value]... [--no-eval] [--json] [--quiet]

Build the model an experiment describes WITHOUT training it and save it as a model folder (what
\`fewshot train\` writes, with the resolved config.yaml), then evaluate it on data.test / data.runs
(eval.json) unless --no-eval. For models made of trained parts: a video encoder whose per-frame CNN
comes from a trained image model (model.encoderOptions.initFrom), e.g. config/image-to-video-clips.yaml.
The folder works with fewshot eval and fewshot classify like any other.
`;

/** The build-model command: returns the exit code (0 ok, 1 config/data/model error, 2 usage). */
export async function buildModelMain(argv: readonly string[], io: BuildModelIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv.slice(),
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        set: { type: 'string', multiple: true },
        'no-eval': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (args.values.help) {
      io.out.write(USAGE);
      return 0;
    }
    if (args.positionals.length !== 1) throw new Error('give one experiment YAML');
    if (!args.values.out) throw new Error('--out DIR is required');
  } catch (err) {
    io.err.write(`Usage error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const quiet = Boolean(args.values.quiet);
  const progress: ProgressSink = quiet ? { start: () => ({ tick: () => {}, done: () => {} }), log: () => {} } : new StreamProgress(io.err);
  try {
    const loaded = await loadConfig(args.positionals[0]!, args.values.set ?? []);
    const exp = await openExperiment(loaded);
    const out = path.resolve(args.values.out);
    const model = await buildModel(exp);
    await model.save(out, { 'config.yaml': configToYaml(loaded) });
    model.dispose();
    progress.log(`built '${loaded.config.name}' (${exp.modality.id}, encoder ${loaded.config.model.encoder ?? exp.modality.defaultEncoder}) without training; saved to ${out}`);
    const c = loaded.config;
    const summary: Record<string, unknown> = { model: out, backend: exp.backend.name };
    if (!args.values['no-eval'] && (c.data.runs || c.data.test)) {
      const built = await PairModel.load(out);
      const runs = c.data.runs && !c.data.test ? path.resolve(loaded.dataRoot, c.data.runs) : undefined;
      const report = await runEvaluation(exp, built, { ...(runs ? { runs } : {}), modelName: out, progress });
      built.dispose();
      await writeAtomic(path.join(out, 'eval.json'), JSON.stringify(report, null, 2) + '\n');
      summary['eval'] = report;
      if (!args.values.json) {
        io.out.write(`${report.ways}-way ${report.shots}-shot accuracy: ${(report.accuracy * 100).toFixed(1)}% ± ${(report.ci95 * 100).toFixed(1)} (95% CI over ${report.episodes} episodes, ${report.trials} trials; ${report.data}), backend ${report.backend}\n`);
      }
    }
    if (args.values.json) io.out.write(JSON.stringify(summary, null, 2) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof FewshotError) {
      io.err.write(`${err.title}: ${err.message}\n`);
      for (const h of err.hints) io.err.write(`  ${h}\n`);
      return 1;
    }
    throw err;
  }
}
