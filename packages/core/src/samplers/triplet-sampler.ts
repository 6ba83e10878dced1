import type { LabeledSet } from '../labeled-set.js';
import type { Rng } from '../rng.js';
import { classIndex } from './make-pairs.js';

/** Anchor and positive share a class; the negative does not. Indices into `LabeledSet.samples`. */
export interface Triplet {
  readonly anchor: number;
  readonly positive: number;
  readonly negative: number;
}

/** Random triplets, uniform over classes; anchor and positive are distinct samples. */
export class TripletSampler {
  private readonly groups: number[][];

  constructor(
    set: LabeledSet,
    private readonly rng: Rng,
  ) {
    set.requireClasses(2, 'triplet training');
    set.requireSamplesPerClass(2, 'triplet training');
    this.groups = classIndex(set);
  }

  next(batchSize: number): Triplet[] {
    const out: Triplet[] = [];
    const n = this.groups.length;
    for (let i = 0; i < batchSize; i++) {
      const c = this.rng.int(n);
      const [anchor, positive] = this.rng.sample(this.groups[c]!, 2) as [number, number];
      let o = this.rng.int(n - 1);
      if (o >= c) o += 1;
      out.push({ anchor, positive, negative: this.rng.pick(this.groups[o]!) });
    }
    return out;
  }
}
