import type { LabeledSet } from '../labeled-set.js';
import type { Rng } from '../rng.js';
import { classIndex } from './make-pairs.js';
import { DataError } from '../errors.js';

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
  /** Take all classes of an episode from one group of samples sharing this attribute (e.g. `alphabet`). */
  readonly within?: string | undefined;
}

/**
 * Draws N-way K-shot Q-query episodes: N distinct classes, K support and Q query samples per class,
 * support and query disjoint. Throws DataError when the set has fewer than N classes or a class has
 * fewer than K+Q samples.
 */
export class EpisodeSampler {
  private readonly groups: number[][];
  /** Class indices eligible as one episode's classes: all of them, or one list per `within` group. */
  private readonly pools: number[][];

  constructor(private readonly set: LabeledSet, readonly shape: EpisodeShape) {
    set.requireClasses(shape.ways, `${shape.ways}-way episodes`);
    set.requireSamplesPerClass(shape.shots + shape.queries, `${shape.shots}-shot ${shape.queries}-query episodes`);
    this.groups = classIndex(set);
    if (shape.within === undefined) {
      this.pools = [this.groups.map((_, i) => i)];
    } else {
      const attr = shape.within;
      const byGroup = new Map<string, number[]>();
      this.groups.forEach((g, c) => {
        const value = set.samples[g[0]!]!.attrs?.[attr];
        if (value === undefined) throw new DataError(`episodes 'within: ${attr}': samples of class '${set.classes[c]}' in ${set.source} have no '${attr}' attribute`);
        const list = byGroup.get(value) ?? [];
        list.push(c);
        byGroup.set(value, list);
      });
      this.pools = [...byGroup.values()].filter((p) => p.length >= shape.ways);
      if (this.pools.length === 0) {
        throw new DataError(`no '${attr}' group in ${set.source} has ${shape.ways} classes for ${shape.ways}-way episodes within one ${attr}`, {
          hints: [`largest group: ${Math.max(...[...byGroup.values()].map((p) => p.length))} classes`],
        });
      }
    }
  }

  sample(rng: Rng): Episode {
    const { ways, shots, queries } = this.shape;
    const pool = this.pools.length === 1 ? this.pools[0]! : rng.pick(this.pools);
    const chosen = rng.sample(pool, ways);
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
