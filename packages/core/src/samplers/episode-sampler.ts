import type { LabeledSet } from '../labeled-set.js';
import type { Rng } from '../rng.js';
import { classIndex } from './make-pairs.js';

/** One N-way K-shot Q-query task. Indices point into the sample list of the set it was drawn from. */
export interface Episode {
  /** Class labels, `nWay` of them; position = class index within the episode. */
  readonly classes: readonly string[];
  /** supportSet[c] = the kShot sample indices of class c. */
  readonly supportSet: readonly (readonly number[])[];
  /** Query sample indices with the episode class index each belongs to. */
  readonly querySet: readonly { readonly sample: number; readonly label: number }[];
}

export interface EpisodeShape {
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
}

/**
 * Draws N-way K-shot Q-query episodes: N distinct classes, K support and Q query samples per class,
 * support and query disjoint. Throws DataError when the set has fewer than N classes or a class has
 * fewer than K+Q samples.
 */
export class EpisodeSampler {
  private readonly groups: number[][];

  constructor(private readonly set: LabeledSet, readonly shape: EpisodeShape) {
    set.requireClasses(shape.ways, `${shape.ways}-way episodes`);
    set.requireSamplesPerClass(shape.shots + shape.queries, `${shape.shots}-shot ${shape.queries}-query episodes`);
    this.groups = classIndex(set);
  }

  sample(rng: Rng): Episode {
    const { ways, shots, queries } = this.shape;
    const chosen = rng.sample(this.groups.map((_, i) => i), ways);
    const supportSet: number[][] = [];
    const querySet: { sample: number; label: number }[] = [];
    chosen.forEach((c, label) => {
      const picked = rng.sample(this.groups[c]!, shots + queries);
      supportSet.push(picked.slice(0, shots));
      for (const q of picked.slice(shots)) querySet.push({ sample: q, label });
    });
    return { classes: chosen.map((c) => this.set.classes[c]!), supportSet, querySet };
  }

  /** `count` episodes from one seeded stream: the same rng seed gives the same episodes. */
  episodes(count: number, rng: Rng): Episode[] {
    const out: Episode[] = [];
    for (let i = 0; i < count; i++) out.push(this.sample(rng));
    return out;
  }
}
