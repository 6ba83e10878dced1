import { DataError } from './errors.js';

/** One sample on disk: where it is and which class it belongs to. */
export interface SampleRef {
  /** Stable identifier, unique within a data set (usually the path relative to the data set root). */
  readonly id: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** Class label (for Omniglot `Alphabet/characterNN`). */
  readonly label: string;
  /** Optional grouping attributes: alphabet, drawer, speaker... used for splits and reports. */
  readonly attrs?: Readonly<Record<string, string>>;
}

/** A labelled collection of samples: classes -> sample refs, in a deterministic order. */
export class LabeledSet {
  readonly classes: readonly string[];
  readonly samples: readonly SampleRef[];
  private readonly byClass: ReadonlyMap<string, readonly SampleRef[]>;

  constructor(
    samples: readonly SampleRef[],
    readonly source = 'data set',
  ) {
    const sorted = samples.slice().sort((a, b) => cmp(a.label, b.label) || cmp(a.id, b.id));
    const byClass = new Map<string, SampleRef[]>();
    for (const s of sorted) {
      let list = byClass.get(s.label);
      if (!list) byClass.set(s.label, (list = []));
      list.push(s);
    }
    this.samples = sorted;
    this.byClass = byClass;
    this.classes = [...byClass.keys()];
  }

  /** Samples of one class (throws DataError for an unknown class). */
  of(label: string): readonly SampleRef[] {
    const list = this.byClass.get(label);
    if (!list) throw new DataError(`class '${label}' is not in ${this.source}`);
    return list;
  }

  get size(): number {
    return this.samples.length;
  }

  /** A new set holding only the given classes. */
  restrict(labels: Iterable<string>, source = this.source): LabeledSet {
    const keep = new Set(labels);
    return new LabeledSet(
      this.samples.filter((s) => keep.has(s.label)),
      source,
    );
  }

  /** A new set holding only the samples that pass the filter. */
  filter(pred: (s: SampleRef) => boolean, source = this.source): LabeledSet {
    return new LabeledSet(this.samples.filter(pred), source);
  }

  /** Throws DataError unless every class has at least `min` samples, naming the first offender. */
  requireSamplesPerClass(min: number, purpose: string): void {
    for (const c of this.classes) {
      const n = this.of(c).length;
      if (n < min) {
        const first = this.of(c)[0];
        throw new DataError(
          `class '${c}' in ${this.source} has ${n} sample${n === 1 ? '' : 's'}, but ${purpose} needs at least ${min}`,
          { hints: first ? [`its only file: ${first.path}`] : [] },
        );
      }
    }
  }

  /** Throws DataError unless there are at least `min` classes. */
  requireClasses(min: number, purpose: string): void {
    if (this.classes.length < min) {
      throw new DataError(`${this.source} has ${this.classes.length} classes, but ${purpose} needs at least ${min}`);
    }
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
