import { existsSync } from 'node:fs';
import path from 'node:path';
import { selectBackend, type BackendChoice } from '../backend/select-backend.js';
import type { EpisodeScorer } from '../baseline.js';
import { loadConfig } from '../config/load-config.js';
import { createContainer } from '../container.js';
import { SampleStore } from '../data/sample-store.js';
import { DataError } from '../errors.js';
import { scoreByClassMean } from '../eval/evaluate-episodes.js';
import { ttaScorer } from '../eval/tta-scorer.js';
import { normalizedScorer } from '../eval/normalize-embeddings.js';
import { LabeledSet } from '../labeled-set.js';
import { loadModel, readModelMeta } from '../model/ensemble-model.js';
import { SilentProgress, type ProgressSink } from '../progress.js';

export interface ClassifyOptions {
  /** Model folder written by `trainExperiment` / `fewshot train`. */
  readonly model: string;
  /** Support folder: one sub-folder per class, one or more example files each. */
  readonly support: string;
  /** Files to classify. */
  readonly files: readonly string[];
  /** How many classes each result ranks (default 3, at least 1). */
  readonly top?: number;
  /** Compute backend (default `auto`). */
  readonly backend?: BackendChoice;
  readonly progress?: ProgressSink;
}

export interface Classification {
  /** The file classified (absolute). */
  readonly file: string;
  /** The best-scoring support class. */
  readonly label: string;
  /** Per-class score (probability of "same", or negated distance), best first, `top` of them. */
  readonly ranking: readonly { label: string; score: number }[];
}

/** What `classify` returns (`fewshot classify --json` prints it). */
export interface ClassifyResult {
  readonly backend: string;
  /** The model folder (absolute). */
  readonly model: string;
  /** One per file, in the order given. */
  readonly results: readonly Classification[];
}

/**
 * Classify files by their nearest support class: each file is scored against every support example
 * with the model's head and a class's score is the mean over its examples, as in episodic evaluation.
 * The model decides decoding; its saved config decides test-time augmentation (`eval.tta`).
 */
export async function classify(options: ClassifyOptions): Promise<ClassifyResult> {
  const progress = options.progress ?? new SilentProgress();
  const meta = await readModelMeta(options.model);
  const plugins = await createContainer(meta.plugins, options.model);
  const modality = plugins.registry.modality(meta.modality);
  const backend = await selectBackend(options.backend ?? 'auto');
  const model = await loadModel(options.model);
  try {
    const support = await modality.load({
      name: '--support',
      path: path.resolve(options.support),
      layout: 'folder',
      options: {},
    });
    support.requireClasses(1, 'classification');
    if (options.files.length === 0) throw new DataError('no files to classify');
    const queries = new LabeledSet(
      options.files.map((f, i) => ({ id: String(i).padStart(6, '0'), path: path.resolve(f), label: '?' })),
      'the files to classify',
    );
    const sup = await SampleStore.decode(support, modality, meta.preprocess, { progress, label: 'decoding support' });
    const qry = await SampleStore.decode(queries, modality, meta.preprocess, { progress, label: 'decoding files' });
    const supportRows = sup.set.samples;
    const queryRows = qry.set.samples;
    // the model's saved config decides test-time augmentation (eval.tta), as in `fewshot eval`
    const saved = path.join(options.model, 'config.yaml');
    const config = existsSync(saved) ? (await loadConfig(saved)).config : undefined;
    const embedOf = (rows: readonly { path: string }[]): EpisodeScorer =>
      config ? ttaScorer(model, modality, meta.preprocess, config.eval.tta, config.seed, (i) => rows[i]!.path) : model;
    // one embedding matrix: support rows first, then the queries
    const nS = supportRows.length;
    const d = model.meta.embeddingSize;
    const emb = new Float32Array((nS + queryRows.length) * d);
    emb.set(
      embedOf(supportRows).embed(
        sup.store,
        supportRows.map((_, i) => i),
      ),
    );
    emb.set(
      embedOf(queryRows).embed(
        qry.store,
        queryRows.map((_, i) => i),
      ),
      nS * d,
    );
    // support rows are sorted by class: one shot list per class, in that order
    const classes = sup.set.classes;
    const classOf = new Map(classes.map((label, c) => [label, c]));
    const shots = classes.map(() => [] as number[]);
    supportRows.forEach((s, i) => shots[classOf.get(s.label)!]!.push(i));
    // and how embeddings are normalised before scoring (eval.normalize)
    const scoring = config ? normalizedScorer(model, config.eval.normalize) : model;
    const [scores] = scoreByClassMean(scoring, emb, [{ queries: queryRows.map((_, q) => nS + q), supportSet: shots }]);
    const top = Math.max(1, options.top ?? 3);
    const results: Classification[] = queryRows.map((q, qi) => {
      const ranking = classes
        .map((label, c) => ({ label, score: scores![qi * classes.length + c]! }))
        .sort((a, b) => b.score - a.score);
      return { file: q.path, label: ranking[0]!.label, ranking: ranking.slice(0, top) };
    });
    return { backend: backend.name, model: path.resolve(options.model), results };
  } finally {
    model.dispose();
  }
}
