import path from 'node:path';
import type { CommandModule } from 'yargs';
import { createContainer } from '../../container.js';
import { selectBackend } from '../../backend/select-backend.js';
import { loadModel, readModelMeta } from '../../model/ensemble-model.js';
import { SampleStore } from '../../data/sample-store.js';
import { LabeledSet } from '../../labeled-set.js';
import { DataError } from '../../errors.js';
import { progressFor, type CliIo, type GlobalArgs } from '../command-context.js';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/load-config.js';
import { ttaScorer } from '../../eval/tta-scorer.js';
import { validatePreprocess } from '../../experiment.js';

interface Args extends GlobalArgs {
  model: string;
  support: string;
  files: string[];
  top: number;
}

export interface Classification {
  readonly file: string;
  readonly label: string;
  /** Per-class score (probability of "same", or negated distance), best first, `top` of them. */
  readonly ranking: readonly { label: string; score: number }[];
}

export function classifyCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'classify <files..>',
    describe: 'Classify files by their nearest support class (one sub-folder per class in --support, one or more examples each)',
    builder: (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'files to classify' })
        .option('model', { type: 'string', demandOption: true, describe: 'model folder written by `fewshot train`' })
        .option('support', { type: 'string', demandOption: true, describe: 'support folder: <class>/<example files>' })
        .option('top', { type: 'number', default: 3, describe: 'how many classes to list per file' })
        .option('backend', { choices: ['auto', 'tensorflow', 'wasm', 'cpu'] as const, default: 'auto' as const, describe: 'compute backend' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON array' }) as never,
    handler: async (args) => {
      const progress = progressFor(args, io);
      const meta = await readModelMeta(args.model);
      const plugins = await createContainer(meta.plugins, args.model);
      const modality = plugins.registry.modality(meta.modality);
      // the modality gets its settings parsed by its own schema (defaults of settings added since the model was saved)
      const preprocess = validatePreprocess(modality, meta.preprocess, path.join(args.model, 'fewshot.json'));
      const backend = await selectBackend(args.backend ?? 'auto');
      const model = await loadModel(args.model);
      const support = await modality.load({ name: '--support', path: path.resolve(args.support), layout: 'folder', options: {} });
      support.requireClasses(1, 'classification');
      if (args.files.length === 0) throw new DataError('no files to classify');
      const queries = new LabeledSet(args.files.map((f, i) => ({ id: String(i).padStart(6, '0'), path: path.resolve(f), label: '?' })), 'the files to classify');
      const sup = await SampleStore.decode(support, modality, preprocess, { progress, label: 'decoding support' });
      const qry = await SampleStore.decode(queries, modality, preprocess, { progress, label: 'decoding files' });
      const supportRows = sup.set.samples;
      const queryRows = qry.set.samples;
      // the model's saved config decides test-time augmentation (eval.tta), as in `fewshot eval`
      const saved = path.join(args.model, 'config.yaml');
      const config = existsSync(saved) ? (await loadConfig(saved)).config : undefined;
      const embedOf = (rows: readonly { path: string }[]) =>
        config ? ttaScorer(model, modality, preprocess, config.eval.tta, config.seed, (i) => rows[i]!.path) : model;
      // one embedding matrix: support rows first, then the queries
      const nS = supportRows.length;
      const emb = new Float32Array((nS + queryRows.length) * model.meta.embeddingSize);
      emb.set(embedOf(supportRows).embed(sup.store, supportRows.map((_, i) => i)));
      emb.set(embedOf(queryRows).embed(qry.store, queryRows.map((_, i) => i)), nS * model.meta.embeddingSize);
      const left = new Int32Array(queryRows.length * nS);
      const right = new Int32Array(left.length);
      let k = 0;
      for (let q = 0; q < queryRows.length; q++) for (let s = 0; s < nS; s++) (left[k] = nS + q), (right[k++] = s);
      const scores = model.scorePairs(emb, left, right);
      const results: Classification[] = queryRows.map((q, qi) => {
        const sums = new Map<string, { sum: number; n: number }>();
        supportRows.forEach((s, si) => {
          const e = sums.get(s.label) ?? { sum: 0, n: 0 };
          e.sum += scores[qi * nS + si]!;
          e.n++;
          sums.set(s.label, e);
        });
        const ranking = [...sums.entries()].map(([label, e]) => ({ label, score: e.sum / e.n })).sort((a, b) => b.score - a.score);
        return { file: q.path, label: ranking[0]!.label, ranking: ranking.slice(0, Math.max(1, args.top)) };
      });
      model.dispose();
      if (args.json) io.out.write(JSON.stringify({ backend: backend.name, model: path.resolve(args.model), results }) + '\n');
      else for (const r of results) io.out.write(`${r.file}: ${r.label}  (${r.ranking.map((x) => `${x.label} ${x.score.toFixed(3)}`).join(', ')})\n`);
    },
  };
}
