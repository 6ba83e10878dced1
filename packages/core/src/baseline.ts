import type { SampleStore } from './data/sample-store.js';
import { shapeSize, type SampleShape } from './modality.js';

/**
 * A parameter-free one-shot baseline contributed by a plugin: a distance between two decoded samples
 * (`fewshot eval --baseline <id>`). Examples: dynamic time warping on MFCC frames, cosine distance of
 * MFCC means. The core's `pixel` baseline (Euclidean distance on the decoded input) is built in.
 */
export const Baseline = Symbol.for('fewshot.Baseline');
export interface Baseline {
  /** Id used on the command line (`--baseline dtw`). */
  readonly id: string;
  readonly description: string;
  /** Modalities whose decoded samples it understands; empty means any. */
  readonly modalities: readonly string[];
  /**
   * Distance between two decoded samples (row-major rows of `shape`); smaller means more alike.
   * Must be symmetric: fewshot computes each unordered pair once.
   */
  distance(a: Float32Array, b: Float32Array, shape: SampleShape): number;
}

/** What episodic evaluation needs of a scorer: PairModel, or a baseline wrapped by `baselineScorer`. */
export interface EpisodeScorer {
  /** Kind shown in reports (`siamese`, `naive`, `pixel-nn`, `baseline:dtw`...). */
  readonly kind: string;
  /** Embed rows of a store; returns rows of equal size, concatenated. */
  embed(store: SampleStore, indices: readonly number[], batchSize?: number): Float32Array;
  /** Scores of pairs of embedded rows (higher = more alike). */
  scorePairs(emb: Float32Array, left: Int32Array, right: Int32Array): Float32Array;
  dispose?(): void;
}

/**
 * Wrap a baseline as an EpisodeScorer: rows are the decoded samples themselves, scores the negated
 * distances; each unordered pair of rows is computed once (episodes reuse pairs a lot).
 */
export function baselineScorer(baseline: Baseline, shape: SampleShape): EpisodeScorer {
  const size = shapeSize(shape);
  return {
    kind: `baseline:${baseline.id}`,
    embed(store, indices) {
      const out = new Float32Array(indices.length * size);
      indices.forEach((i, k) => store.copyRow(i, out, k * size));
      return out;
    },
    scorePairs(emb, left, right) {
      const n = emb.length / size;
      const memo = new Map<number, number>();
      const out = new Float32Array(left.length);
      for (let k = 0; k < left.length; k++) {
        const l = left[k]!;
        const r = right[k]!;
        if (l < 0 || l >= n || r < 0 || r >= n)
          throw new RangeError(`scorePairs: row index out of range (${l}, ${r}) for ${n} rows`);
        const key = l < r ? l * n + r : r * n + l;
        let d = memo.get(key);
        if (d === undefined) {
          d = baseline.distance(emb.subarray(l * size, (l + 1) * size), emb.subarray(r * size, (r + 1) * size), shape);
          if (Number.isNaN(d)) throw new RangeError(`baseline '${baseline.id}' gave NaN for a pair of samples`);
          memo.set(key, d);
        }
        out[k] = -d;
      }
      return out;
    },
  };
}
