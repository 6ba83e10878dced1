import { LabeledSet, type SampleRef } from '../labeled-set.js';
import { Rng } from '../rng.js';
import { makePairs, PairSampler } from './make-pairs.js';
import { EpisodeSampler } from './episode-sampler.js';
import { TripletSampler } from './triplet-sampler.js';
import { checkDisjoint } from './check-disjoint.js';
import { ConfigError, DataError } from '../errors.js';

function toySet(classes: number, perClass: number | number[], prefix = 'c'): LabeledSet {
  const samples: SampleRef[] = [];
  for (let c = 0; c < classes; c++) {
    const n = Array.isArray(perClass) ? perClass[c]! : perClass;
    for (let i = 0; i < n; i++)
      samples.push({ id: `${prefix}${c}/${i}`, path: `/data/${prefix}${c}/${i}.png`, label: `${prefix}${c}` });
  }
  return new LabeledSet(samples, 'toy');
}

describe('makePairs', () => {
  const set = toySet(7, [2, 3, 5, 8, 2, 4, 6]);
  const pairs = makePairs(set, new Rng(1));

  it('is balanced: one positive and one negative pair per sample', () => {
    expect(pairs.length).toBe(2 * set.size);
    expect(pairs.filter((p) => p.same === 1).length).toBe(set.size);
  });

  it('labels pairs correctly and never pairs a sample with itself', () => {
    for (const p of pairs) {
      const same = set.samples[p.a]!.label === set.samples[p.b]!.label;
      expect(same).toBe(p.same === 1);
      expect(p.a).not.toBe(p.b);
    }
  });

  it('uses every sample as an anchor and every class', () => {
    const anchors = new Set(pairs.map((p) => p.a));
    expect(anchors.size).toBe(set.size);
    const classes = new Set(pairs.flatMap((p) => [set.samples[p.a]!.label, set.samples[p.b]!.label]));
    expect(classes.size).toBe(set.classes.length);
  });

  it('is reproducible from the seed and differs across seeds', () => {
    expect(makePairs(set, new Rng(1))).toEqual(pairs);
    expect(makePairs(set, new Rng(2))).not.toEqual(pairs);
  });

  it('rejects a class with a single sample, naming it', () => {
    const bad = toySet(3, [2, 1, 2]);
    expect(() => makePairs(bad, new Rng(1))).toThrow(DataError);
    expect(() => makePairs(bad, new Rng(1))).toThrow(/class 'c1'.*1 sample/);
  });

  it('streams batches across passes', () => {
    const s = new PairSampler(set, new Rng(3));
    const n = 2 * set.size;
    const batches = [s.next(n - 5), s.next(10)];
    expect(batches[1]!.length).toBe(10);
    expect(s.passes).toBe(1);
  });
});

describe('EpisodeSampler', () => {
  const set = toySet(30, 20);

  it('builds N-way K-shot Q-query episodes with disjoint support and query', () => {
    const sampler = new EpisodeSampler(set, { ways: 20, shots: 2, queries: 3 });
    for (const ep of sampler.episodes(25, new Rng(5))) {
      expect(ep.classes.length).toBe(20);
      expect(new Set(ep.classes).size).toBe(20);
      expect(ep.supportSet.length).toBe(20);
      ep.supportSet.forEach((shots, c) => {
        expect(shots.length).toBe(2);
        for (const s of shots) expect(set.samples[s]!.label).toBe(ep.classes[c]);
      });
      expect(ep.querySet.length).toBe(60);
      for (const q of ep.querySet) expect(set.samples[q.sample]!.label).toBe(ep.classes[q.label]);
      const support = new Set(ep.supportSet.flat());
      for (const q of ep.querySet) expect(support.has(q.sample)).toBe(false);
      expect(new Set(ep.querySet.map((q) => q.sample)).size).toBe(60);
    }
  });

  it('gives the same episodes for the same seed', () => {
    const sampler = new EpisodeSampler(set, { ways: 5, shots: 1, queries: 1 });
    expect(sampler.episodes(10, new Rng(9))).toEqual(sampler.episodes(10, new Rng(9)));
    expect(sampler.episodes(10, new Rng(9))).not.toEqual(sampler.episodes(10, new Rng(10)));
  });

  it('refuses more ways than classes, and too few samples per class', () => {
    expect(() => new EpisodeSampler(toySet(4, 5), { ways: 5, shots: 1, queries: 1 })).toThrow(
      /4 classes.*needs at least 5/,
    );
    expect(() => new EpisodeSampler(toySet(6, [5, 5, 1, 5, 5, 5]), { ways: 5, shots: 1, queries: 1 })).toThrow(
      /class 'c2'/,
    );
  });
});

describe('TripletSampler', () => {
  it('draws anchor/positive from one class and the negative from another', () => {
    const set = toySet(5, 4);
    for (const t of new TripletSampler(set, new Rng(2)).next(200)) {
      expect(t.anchor).not.toBe(t.positive);
      expect(set.samples[t.anchor]!.label).toBe(set.samples[t.positive]!.label);
      expect(set.samples[t.negative]!.label).not.toBe(set.samples[t.anchor]!.label);
    }
  });
});

describe('checkDisjoint', () => {
  it('accepts disjoint splits', () => {
    expect(() =>
      checkDisjoint([
        { name: 'data.train', set: toySet(3, 2, 'a') },
        { name: 'data.test', set: toySet(3, 2, 'b') },
      ]),
    ).not.toThrow();
  });
  it('rejects a class in two splits, naming both', () => {
    const a = toySet(3, 2, 'a');
    const b = new LabeledSet([{ id: 'x', path: '/other/x.png', label: 'a1' }], 'other');
    expect(() =>
      checkDisjoint([
        { name: 'data.train', set: a },
        { name: 'data.validation', set: b },
      ]),
    ).toThrow(ConfigError);
    expect(() =>
      checkDisjoint([
        { name: 'data.train', set: a },
        { name: 'data.validation', set: b },
      ]),
    ).toThrow(/data.train and data.validation share the class 'a1'/);
  });
  it('rejects a file in two splits even when classes may be shared', () => {
    const a = toySet(2, 2, 'a');
    expect(() =>
      checkDisjoint(
        [
          { name: 'data.train', set: a },
          { name: 'data.test', set: a },
        ],
        true,
      ),
    ).toThrow(/share the file/);
  });
  it('lets splits take different samples of one archive, but not the same one', () => {
    const zip = (prefix: string, ids: string[]) =>
      new LabeledSet(
        ids.map((id) => ({ id: `${prefix}/${id}`, path: '/data/strokes.zip', label: prefix })),
        prefix,
      );
    expect(() =>
      checkDisjoint([
        { name: 'data.train', set: zip('Greek', ['1', '2']) },
        { name: 'data.test', set: zip('Latin', ['1', '2']) },
      ]),
    ).not.toThrow();
    expect(() =>
      checkDisjoint(
        [
          { name: 'data.train', set: zip('Greek', ['1', '2']) },
          { name: 'data.test', set: zip('Greek', ['2', '3']) },
        ],
        true,
      ),
    ).toThrow(/share the file \/data\/strokes.zip/);
  });
});

describe('Rng', () => {
  it('repeats its stream for a seed, and forks independently of draws', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(xs);
    const f1 = new Rng(7).fork('pairs').next();
    const r = new Rng(7);
    r.next();
    expect(r.fork('pairs').next()).toBe(f1);
    expect(new Rng(7).fork('episodes').next()).not.toBe(f1);
  });
  it('is roughly uniform', () => {
    const r = new Rng(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 100000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });
});

describe('EpisodeSampler within a group', () => {
  const samples: SampleRef[] = [];
  for (const alphabet of ['A', 'B', 'C']) {
    const n = alphabet === 'C' ? 3 : 6;
    for (let c = 0; c < n; c++)
      for (let i = 0; i < 3; i++)
        samples.push({
          id: `${alphabet}${c}/${i}`,
          path: `/d/${alphabet}/${c}/${i}`,
          label: `${alphabet}/c${c}`,
          attrs: { alphabet },
        });
  }
  const set = new LabeledSet(samples, 'toy');

  it('draws every class of an episode from one alphabet with enough classes', () => {
    const sampler = new EpisodeSampler(set, { ways: 5, shots: 1, queries: 1, within: 'alphabet' });
    const seen = new Set<string>();
    for (const ep of sampler.episodes(40, new Rng(1))) {
      const alphabets = new Set(ep.classes.map((c) => c.split('/')[0]));
      expect(alphabets.size).toBe(1);
      seen.add([...alphabets][0]!);
    }
    expect([...seen].sort()).toEqual(['A', 'B']); // C has only 3 classes
  });

  it('explains when no group is large enough', () => {
    expect(() => new EpisodeSampler(set, { ways: 7, shots: 1, queries: 1, within: 'alphabet' })).toThrow(
      /no 'alphabet' group .* 7 classes/,
    );
  });
});

describe('EpisodeSampler across an attribute', () => {
  // 6 classes x 3 speakers x 2 takes
  const refs: SampleRef[] = [];
  for (let c = 0; c < 6; c++) {
    for (let s = 0; s < 3; s++)
      for (let t = 0; t < 2; t++)
        refs.push({
          id: `d${c}_s${s}_${t}`,
          path: `/a/d${c}_s${s}_${t}.wav`,
          label: `d${c}`,
          attrs: { speaker: `s${s}` },
        });
  }
  const set = new LabeledSet(refs, 'toy audio');
  const speaker = (i: number): string => set.samples[i]!.attrs!.speaker!;

  it('takes each support from one speaker and no query from it', () => {
    const sampler = new EpisodeSampler(set, { ways: 5, shots: 2, queries: 3, across: 'speaker' });
    const rng = new Rng(3);
    const seen = new Set<string>();
    for (let e = 0; e < 200; e++) {
      const ep = sampler.sample(rng);
      ep.supportSet.forEach((support, label) => {
        const spk = new Set(support.map(speaker));
        expect(spk.size).toBe(1);
        seen.add([...spk][0]!);
        const queries = ep.querySet.filter((q) => q.label === label);
        expect(queries).toHaveLength(3);
        for (const q of queries) {
          expect(spk.has(speaker(q.sample))).toBe(false);
          expect(set.samples[q.sample]!.label).toBe(ep.classes[label]);
        }
      });
    }
    expect(seen.size).toBe(3);
  });

  it('explains a class that cannot be split, and a missing attribute', () => {
    expect(() => new EpisodeSampler(set, { ways: 2, shots: 3, queries: 1, across: 'speaker' })).toThrow(
      /cannot give 3 support sample\(s\) of one 'speaker'/,
    );
    expect(() => new EpisodeSampler(set, { ways: 2, shots: 1, queries: 1, across: 'drawer' })).toThrow(
      /has no 'drawer' attribute/,
    );
  });
});
