import type { LabeledSet } from '../labeled-set.js';
import type { Rng } from '../rng.js';

/** A pair of sample indices (into `LabeledSet.samples`) and whether they share a class (1) or not (0). */
export interface Pair {
  readonly a: number;
  readonly b: number;
  readonly same: 0 | 1;
}

/** Index helpers shared by the samplers: sample indices grouped by class. */
export function classIndex(set: LabeledSet): number[][] {
  const pos = new Map<string, number>();
  set.classes.forEach((c, i) => pos.set(c, i));
  const groups: number[][] = set.classes.map(() => []);
  set.samples.forEach((s, i) => groups[pos.get(s.label)!]!.push(i));
  return groups;
}

/**
 * The lecture's make_pairs: every sample is the anchor of one positive pair (with another sample of
 * its class, never itself) and one negative pair (with a sample of another class), so the result is
 * balanced, uses every class and every sample, and is shuffled. Needs >= 2 samples in every class and
 * >= 2 classes (throws DataError naming the culprit otherwise).
 */
export function makePairs(set: LabeledSet, rng: Rng): Pair[] {
  set.requireClasses(2, 'pair training');
  set.requireSamplesPerClass(2, 'pair training');
  const groups = classIndex(set);
  const classOf = new Int32Array(set.size);
  groups.forEach((g, c) => g.forEach((i) => (classOf[i] = c)));
  const pairs: Pair[] = [];
  for (let a = 0; a < set.size; a++) {
    const c = classOf[a]!;
    const own = groups[c]!;
    let b = own[rng.int(own.length - 1)]!;
    if (b === a) b = own[own.length - 1]!; // skip itself: draw from the others
    pairs.push({ a, b, same: 1 });
    let other = rng.int(groups.length - 1);
    if (other >= c) other += 1;
    const og = groups[other]!;
    pairs.push({ a, b: og[rng.int(og.length)]!, same: 0 });
  }
  return rng.shuffle(pairs);
}

/** Endless stream of `makePairs` batches: a new shuffled pass over the set whenever one is used up. */
export class PairSampler {
  private pairs: Pair[] = [];
  private pos = 0;
  /** Number of complete passes over the data so far. */
  passes = 0;

  constructor(
    private readonly set: LabeledSet,
    private readonly rng: Rng,
  ) {
    this.pairs = makePairs(set, rng);
  }

  next(batchSize: number): Pair[] {
    const out: Pair[] = [];
    while (out.length < batchSize) {
      if (this.pos >= this.pairs.length) {
        this.pairs = makePairs(this.set, this.rng);
        this.pos = 0;
        this.passes++;
      }
      out.push(this.pairs[this.pos++]!);
    }
    return out;
  }
}
