import { closest, distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `word`, or undefined when none is reasonably close
 * (edit distance <= max(2, len/3), compared case-insensitively so `learningrate` finds `learningRate`).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const pool = candidates.filter((c) => c !== word);
  if (pool.length === 0 || word.length === 0) return undefined;
  const lower = pool.map((c) => c.toLowerCase());
  const best = closest(word.toLowerCase(), lower);
  if (distance(word.toLowerCase(), best) > Math.max(2, Math.floor(word.length / 3))) return undefined;
  return pool[lower.indexOf(best)];
}

/** ` (did you mean 'x'?)` or the empty string. */
export function didYouMeanSuffix(word: string, candidates: readonly string[]): string {
  const match = didYouMean(word, candidates);
  return match === undefined ? '' : ` (did you mean '${match}'?)`;
}
