import type { EpisodeScorer } from '../baseline.js';
import { EnsembleModel } from '../model/ensemble-model.js';
import { PairModel } from '../model/pair-model.js';
import { asTtaScorer } from './tta-scorer.js';

/** How embeddings are normalised before they are scored (`eval.normalize`). */
export type EmbeddingNormalization = 'none' | 'l2';

/**
 * The parts of a model's embedding row that are normalised each on its own: an ensemble's members
 * (side by side in a row), or the whole row of one siamese model. Undefined for a scorer whose rows
 * are not embeddings: a baseline's or a naive model's (its rows are the raw inputs, which its dense
 * head was trained on as they are).
 */
export function embeddingParts(scorer: EpisodeScorer): readonly number[] | undefined {
  const base = asTtaScorer(scorer)?.base ?? scorer;
  const members = base instanceof EnsembleModel ? base.members : base instanceof PairModel ? [base] : [];
  if (members.length === 0 || members.some((m) => m.meta.kind !== 'siamese')) return undefined;
  return members.map((m) => m.meta.embeddingSize);
}

/**
 * Rows of `emb` scaled to unit Euclidean length, each part of a row (`parts`, sizes adding up to the
 * row size) on its own; a part that is all zeros stays zero. Returns a new array.
 */
export function l2NormalizeRows(emb: Float32Array, parts: readonly number[]): Float32Array {
  const size = parts.reduce((a, b) => a + b, 0);
  if (size <= 0 || parts.some((p) => !Number.isInteger(p) || p <= 0))
    throw new RangeError(`l2NormalizeRows: bad part sizes ${parts.join(', ')}`);
  if (emb.length % size !== 0) throw new RangeError(`l2NormalizeRows: ${emb.length} values are not rows of ${size}`);
  const out = new Float32Array(emb.length);
  for (let o = 0; o < emb.length; o += size) {
    let start = o;
    for (const p of parts) {
      let ss = 0;
      for (let i = start; i < start + p; i++) ss += emb[i]! * emb[i]!;
      const k = ss > 0 ? 1 / Math.sqrt(ss) : 0;
      for (let i = start; i < start + p; i++) out[i] = emb[i]! * k;
      start += p;
    }
  }
  return out;
}

/**
 * A scorer that scores L2-normalised embeddings (`normalize: 'l2'`): `embed` is the scorer's own (so
 * worker threads and test-time views embed as before), `scorePairs` normalises the rows it is given
 * (each ensemble member's part on its own) and scores them with the scorer's head. With a
 * Euclidean head this is nearest neighbour by angle. With `'none'`, or for a scorer that is not a
 * trained model (see `embeddingParts`), returns `scorer` itself.
 */
export function normalizedScorer(scorer: EpisodeScorer, normalize: EmbeddingNormalization): EpisodeScorer {
  if (normalize === 'none') return scorer;
  const parts = embeddingParts(scorer);
  if (!parts) return scorer;
  // scoring in chunks passes the same matrix again: normalise it once
  let last: { emb: Float32Array; normalized: Float32Array } | undefined;
  return {
    kind: `${scorer.kind}+${normalize}`,
    embed: (store, indices, batchSize) => scorer.embed(store, indices, batchSize),
    scorePairs(emb, left, right) {
      if (last?.emb !== emb) last = { emb, normalized: l2NormalizeRows(emb, parts) };
      return scorer.scorePairs(last.normalized, left, right);
    },
  };
}
