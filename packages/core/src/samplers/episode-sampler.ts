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
  /**
   * Take each class's support and query samples from different values of this attribute (e.g.
   * `speaker`, `drawer`): the support shots share one value, and no query has it.
   */
  readonly across?: string | undefined;
}

/**
 * Draws N-way K-shot Q-query episodes: N distinct classes, K support and Q query samples per class,
 * support and query disjoint (with `across`, also in that attribute). Throws DataError when the set
 * has fewer than N classes or a class has fewer than K+Q samples (or cannot be split by `across`).
 */
export class EpisodeSampler {
  private readonly groups: number[][];
  /** Class indices eligible as one episode's classes: all of them, or one list per `within` group. */
  private readonly pools: number[][];
  /** With `across`: per class, its samples grouped by attribute value (only values that can hold the support). */
  private readonly acrossGroups: { value: string; own: number[]; others: number[] }[][] | undefined;

  constructor(
    private readonly set: LabeledSet,
    readonly shape: EpisodeShape,
  ) {
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
        if (value === undefined)
          throw new DataError(
            `episodes 'within: ${attr}': samples of class '${set.classes[c]}' in ${set.source} have no '${attr}' attribute`,
          );
        const list = byGroup.get(value) ?? [];
        list.push(c);
        byGroup.set(value, list);
      });
      this.pools = [...byGroup.values()].filter((p) => p.length >= shape.ways);
      if (this.pools.length === 0) {
        throw new DataError(
          `no '${attr}' group in ${set.source} has ${shape.ways} classes for ${shape.ways}-way episodes within one ${attr}`,
          {
            hints: [`largest group: ${Math.max(...[...byGroup.values()].map((p) => p.length))} classes`],
          },
        );
      }
    }
    this.acrossGroups =
      shape.across === undefined ? undefined : this.groups.map((g, c) => this.splitAcross(g, c, shape.across!));
  }

  /** Support candidates of one class for `across`: each attribute value with >= K samples and >= Q samples elsewhere. */
  private splitAcross(
    group: readonly number[],
    c: number,
    attr: string,
  ): { value: string; own: number[]; others: number[] }[] {
    const byValue = new Map<string, number[]>();
    for (const i of group) {
      const value = this.set.samples[i]!.attrs?.[attr];
      if (value === undefined) {
        throw new DataError(
          `episodes 'across: ${attr}': sample ${this.set.samples[i]!.path} (class '${this.set.classes[c]}') in ${this.set.source} has no '${attr}' attribute`,
        );
      }
      const list = byValue.get(value) ?? [];
      list.push(i);
      byValue.set(value, list);
    }
    const { shots, queries } = this.shape;
    const out = [...byValue.entries()]
      .map(([value, own]) => ({
        value,
        own,
        others: group.filter((i) => this.set.samples[i]!.attrs?.[attr] !== value),
      }))
      .filter((x) => x.own.length >= shots && x.others.length >= queries);
    if (out.length === 0) {
      throw new DataError(
        `class '${this.set.classes[c]}' in ${this.set.source} cannot give ${shots} support sample(s) of one '${attr}' and ${queries} query sample(s) of other '${attr}' values`,
        { hints: [`its ${group.length} samples come from ${byValue.size} '${attr}' value(s)`] },
      );
    }
    return out;
  }

  sample(rng: Rng): Episode {
    const { ways, shots, queries } = this.shape;
    const pool = this.pools.length === 1 ? this.pools[0]! : rng.pick(this.pools);
    const chosen = rng.sample(pool, ways);
    const supportSet: number[][] = [];
    const querySet: { sample: number; label: number }[] = [];
    chosen.forEach((c, label) => {
      let support: number[];
      let query: number[];
      if (this.acrossGroups) {
        const split = rng.pick(this.acrossGroups[c]!);
        support = rng.sample(split.own, shots);
        query = rng.sample(split.others, queries);
      } else {
        const picked = rng.sample(this.groups[c]!, shots + queries);
        support = picked.slice(0, shots);
        query = picked.slice(shots);
      }
      supportSet.push(support);
      for (const q of query) querySet.push({ sample: q, label });
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
