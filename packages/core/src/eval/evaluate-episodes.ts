import type { Episode } from '../samplers/episode-sampler.js';
import type { EpisodeScorer } from '../baseline.js';
import type { SampleStore } from '../data/sample-store.js';
import type { ProgressSink } from '../progress.js';
import { meanCi95 } from './stats.js';

export interface EpisodeResult {
  /** Mean accuracy over all queries of all episodes (0..1). */
  readonly accuracy: number;
  /** Half-width of the 95% confidence interval of the mean per-episode accuracy. */
  readonly ci95: number;
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  readonly episodes: number;
  /** Accuracy of each episode, in order. */
  readonly perEpisode: readonly number[];
  /** Most confused true labels: label -> number of wrong answers (top 20). */
  readonly errorsByClass: Readonly<Record<string, number>>;
  /** Distinct samples embedded. */
  readonly embedded: number;
  readonly seconds: number;
}

/** Options of `evaluateEpisodes`. */
export interface EvaluateEpisodesOptions {
  readonly batchSize?: number;
  readonly progress?: ProgressSink;
  readonly label?: string;
}

/**
 * Evaluate N-way K-shot episodes: every distinct sample is embedded once (in batches), then each query
 * is scored against every support sample with the model's head; a class's score is the mean over its
 * shots; the prediction is the best-scoring class.
 */
export function evaluateEpisodes(
  model: EpisodeScorer,
  store: SampleStore,
  episodes: readonly Episode[],
  options: EvaluateEpisodesOptions = {},
): EpisodeResult {
  const t0 = Date.now();
  const { used, rowOf } = distinctSamples(episodes);
  const task = options.progress?.start(options.label ?? 'embedding', used.length, 'samples');
  const emb = model.embed(store, used, options.batchSize);
  task?.done();
  return scoreEmbedded(model, emb, rowOf, episodes, t0);
}

/**
 * `evaluateEpisodes` with the distinct samples embedded by `embed` (e.g. on worker threads, see
 * `workerEmbedderFor`), which must give the model's own embeddings; the result is the same.
 */
export async function evaluateEpisodesWith(
  model: EpisodeScorer,
  embed: (store: SampleStore, indices: readonly number[]) => Promise<Float32Array>,
  store: SampleStore,
  episodes: readonly Episode[],
  options: Omit<EvaluateEpisodesOptions, 'batchSize'> & { readonly startedAt?: number } = {},
): Promise<EpisodeResult> {
  const t0 = options.startedAt ?? Date.now(); // e.g. before the workers that embed were started
  const { used, rowOf } = distinctSamples(episodes);
  const task = options.progress?.start(options.label ?? 'embedding', used.length, 'samples');
  const emb = await embed(store, used);
  task?.done();
  return scoreEmbedded(model, emb, rowOf, episodes, t0);
}

/** The distinct samples of the episodes, in order of first use, and each one's row among them. */
export function distinctSamples(episodes: readonly Episode[]): { used: number[]; rowOf: Map<number, number> } {
  if (episodes.length === 0) throw new RangeError('evaluateEpisodes needs at least one episode');
  const rowOf = new Map<number, number>();
  const used: number[] = [];
  for (const ep of episodes) {
    for (const s of ep.supportSet.flat()) if (!rowOf.has(s)) rowOf.set(s, used.push(s) - 1);
    for (const q of ep.querySet) if (!rowOf.has(q.sample)) rowOf.set(q.sample, used.push(q.sample) - 1);
  }
  return { used, rowOf };
}

/** Score the episodes on the embeddings of their distinct samples (`distinctSamples`); `t0` is when the evaluation began. */
function scoreEmbedded(
  model: Pick<EpisodeScorer, 'scorePairs'>,
  emb: Float32Array,
  rowOf: ReadonlyMap<number, number>,
  episodes: readonly Episode[],
  t0: number,
): EpisodeResult {
  const tasks = episodes.map((ep) => ({
    queries: ep.querySet.map((q) => rowOf.get(q.sample)!),
    supportSet: ep.supportSet.map((shots) => shots.map((s) => rowOf.get(s)!)),
  }));
  const scores = scoreByClassMean(model, emb, tasks);

  const perEpisode: number[] = [];
  const errors = new Map<string, number>();
  let correct = 0;
  let queries = 0;
  episodes.forEach((ep, e) => {
    const classScores = scores[e]!;
    const ways = ep.supportSet.length;
    let epCorrect = 0;
    ep.querySet.forEach((q, qi) => {
      let best = -Infinity;
      let bestClass = -1;
      for (let c = 0; c < ways; c++) {
        const score = classScores[qi * ways + c]!;
        if (score > best) {
          best = score;
          bestClass = c;
        }
      }
      if (bestClass === q.label) epCorrect++;
      else {
        const label = ep.classes[q.label]!;
        errors.set(label, (errors.get(label) ?? 0) + 1);
      }
    });
    correct += epCorrect;
    queries += ep.querySet.length;
    perEpisode.push(epCorrect / ep.querySet.length);
  });
  const { ci95 } = meanCi95(perEpisode);
  const first = episodes[0]!;
  const topErrors = [...errors.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 20);
  return {
    accuracy: correct / queries,
    ci95,
    ways: first.classes.length,
    shots: first.supportSet[0]!.length,
    queries: first.querySet.length / first.classes.length,
    episodes: episodes.length,
    perEpisode,
    errorsByClass: Object.fromEntries(topErrors),
    embedded: rowOf.size,
    seconds: (Date.now() - t0) / 1000,
  };
}

/** A query set scored against a support set: rows of one embedding matrix (see `scoreByClassMean`). */
export interface ScoringTask {
  /** Rows of the queries. */
  readonly queries: readonly number[];
  /** Rows of the support samples, one list per class (its shots). */
  readonly supportSet: readonly (readonly number[])[];
}

/**
 * Few-shot scoring shared by episodic evaluation and `classify`: every query of every task is scored
 * against every support row with the model's head (one `scorePairs` call for all tasks); a class's
 * score is the mean of its shots' pair scores. Returns, per task, `queries x classes` scores
 * (row-major; higher = more alike).
 */
export function scoreByClassMean(
  model: Pick<EpisodeScorer, 'scorePairs'>,
  emb: Float32Array,
  tasks: readonly ScoringTask[],
): Float64Array[] {
  let total = 0;
  for (const t of tasks) for (const shots of t.supportSet) total += t.queries.length * shots.length;
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  let k = 0;
  for (const t of tasks) {
    for (const q of t.queries) {
      for (const shots of t.supportSet) {
        for (const s of shots) {
          left[k] = q;
          right[k++] = s;
        }
      }
    }
  }
  const scores = model.scorePairs(emb, left, right);
  k = 0;
  return tasks.map((t) => {
    const out = new Float64Array(t.queries.length * t.supportSet.length);
    let o = 0;
    for (let q = 0; q < t.queries.length; q++) {
      for (const shots of t.supportSet) {
        let sum = 0;
        for (let j = 0; j < shots.length; j++) sum += scores[k++]!;
        out[o++] = sum / shots.length;
      }
    }
    return out;
  });
}
