import type { EpisodeScorer } from '../baseline.js';
import type { SampleStore } from '../data/sample-store.js';
import { scoreByClassMean } from '../eval/evaluate-episodes.js';
import { meanCi95 } from '../eval/stats.js';
import type { ProgressTask } from '../progress.js';
import type { Episode } from '../samplers/episode-sampler.js';

/** Samples embedded per call (between progress updates). */
const EMBED_SLICE = 1024;

function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Embeddings of every row of `store`, row i at i * d, embedded in slices (a sample's embedding does
 * not depend on the others embedded with it) so that `progress` is ticked as they go.
 */
export function embedRows(
  scorer: EpisodeScorer,
  store: SampleStore,
  batchSize: number,
  progress?: ProgressTask,
): Float32Array {
  const parts: Float32Array[] = [];
  for (let i = 0; i < store.count; i += EMBED_SLICE) {
    const slice = Array.from({ length: Math.min(EMBED_SLICE, store.count - i) }, (_, k) => i + k);
    parts.push(scorer.embed(store, slice, batchSize));
    progress?.tick(slice.length);
  }
  return parts.length === 1 ? parts[0]! : concat(parts);
}

/** What scoring a cell's episodes gives. */
export interface EpisodeScores {
  readonly accuracy: number;
  readonly ci95: number;
  /** Correct queries per episode. */
  readonly perEpisodeCorrect: number[];
  /** Wrong answers by (true label, predicted label), most frequent first. */
  readonly confusions: { label: string; predicted: string; count: number }[];
  readonly seconds: number;
}

/**
 * Score episodes whose indices are rows of `emb` (see `embedRows`), as `evaluateEpisodes` does (a
 * class's score is the mean of its shots' pair scores), keeping every query's prediction: correct
 * answers per episode and the confused pairs of classes.
 */
export function scoreEpisodes(
  scorer: Pick<EpisodeScorer, 'scorePairs'>,
  emb: Float32Array,
  episodes: readonly Episode[],
): EpisodeScores {
  const t0 = Date.now();
  const perEpisodeCorrect: number[] = [];
  const perEpisode: number[] = [];
  const confused = new Map<string, number>();
  let correct = 0;
  let total = 0;
  const CHUNK = 64; // episodes scored per scorePairs call
  for (let start = 0; start < episodes.length; start += CHUNK) {
    const chunk = episodes.slice(start, start + CHUNK);
    const scores = scoreByClassMean(
      scorer,
      emb,
      chunk.map((ep) => ({ queries: ep.querySet.map((q) => q.sample), supportSet: ep.supportSet })),
    );
    chunk.forEach((ep, e) => {
      const ways = ep.supportSet.length;
      const s = scores[e]!;
      let ok = 0;
      ep.querySet.forEach((q, qi) => {
        let best = 0;
        for (let c = 1; c < ways; c++) if (s[qi * ways + c]! > s[qi * ways + best]!) best = c;
        if (best === q.label) ok++;
        else {
          const k = `${ep.classes[q.label]}\t${ep.classes[best]}`;
          confused.set(k, (confused.get(k) ?? 0) + 1);
        }
      });
      perEpisodeCorrect.push(ok);
      perEpisode.push(ok / ep.querySet.length);
      correct += ok;
      total += ep.querySet.length;
    });
  }
  const confusions = [...confused.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 20)
    .map(([k, count]) => {
      const [label, predicted] = k.split('\t') as [string, string];
      return { label, predicted, count };
    });
  return {
    accuracy: correct / total,
    ci95: meanCi95(perEpisode).ci95,
    perEpisodeCorrect,
    confusions,
    seconds: (Date.now() - t0) / 1000,
  };
}
