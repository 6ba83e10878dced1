import { baselineScorer } from '../baseline.js';
import { SampleStore } from '../data/sample-store.js';
import { evaluateEpisodes } from '../eval/evaluate-episodes.js';
import { LabeledSet, type SampleRef } from '../labeled-set.js';
import { sampleShape } from '../modality.js';
import { Rng } from '../rng.js';
import { EpisodeSampler } from '../samplers/episode-sampler.js';
import { fromManifest, toManifest } from './episode-manifest.js';
import { embedRows, scoreEpisodes } from './score-episodes.js';

/** 8 overlapping classes of noisy 3-value samples: a nearest-neighbour baseline gets some of them wrong. */
function noisy(): { set: LabeledSet; store: SampleStore } {
  const rng = new Rng(11);
  const samples: SampleRef[] = [];
  const rows: number[] = [];
  for (let c = 0; c < 8; c++) {
    for (let i = 0; i < 6; i++) {
      samples.push({ id: `c${c}/s${i}`, path: `/x/c${c}/s${i}`, label: `c${c}` });
      rows.push(c / 8 + 0.2 * rng.normal(), (c % 3) / 3 + 0.2 * rng.normal(), 0.2 * rng.normal());
    }
  }
  // LabeledSet sorts by label then id, which is the order written here
  return {
    set: new LabeledSet(samples, 'noisy'),
    store: new SampleStore(sampleShape([3], ['features']), Float32Array.from(rows)),
  };
}

const l2 = {
  id: 'l2',
  description: '',
  modalities: [],
  distance: (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((x, i) => x - b[i]!)),
};

describe('scoreEpisodes', () => {
  it('scores as evaluateEpisodes does, and keeps per-episode counts and confusions', () => {
    const { set, store } = noisy();
    const scorer = baselineScorer(l2, store.shape);
    const episodes = new EpisodeSampler(set, { ways: 5, shots: 2, queries: 3 }).episodes(
      40,
      new Rng(2).fork('eval-episodes'),
    );
    const reference = evaluateEpisodes(scorer, store, episodes);
    const r = scoreEpisodes(scorer, embedRows(scorer, store, 7), episodes);
    expect(r.accuracy).toBe(reference.accuracy);
    expect(r.accuracy).toBeGreaterThan(0.3);
    expect(r.accuracy).toBeLessThan(1);
    expect(r.ci95).toBeCloseTo(reference.ci95, 12);
    expect(r.perEpisodeCorrect.map((c) => c / 15)).toEqual(reference.perEpisode);
    const wrong = r.perEpisodeCorrect.reduce((s, c) => s + (15 - c), 0);
    expect(wrong).toBeGreaterThan(0);
    for (const c of r.confusions) expect(c.label).not.toBe(c.predicted);
    // the 20 most frequent (true, predicted) pairs, most frequent first
    expect(r.confusions.length).toBeLessThanOrEqual(20);
    expect(r.confusions.map((c) => c.count)).toEqual([...r.confusions.map((c) => c.count)].sort((a, b) => b - a));
    const byLabel = new Map<string, number>();
    for (const c of r.confusions) byLabel.set(c.label, (byLabel.get(c.label) ?? 0) + c.count);
    for (const [label, n] of byLabel) expect(n).toBeLessThanOrEqual(reference.errorsByClass[label]!);
  });

  it('round-trips episodes through a manifest of sample ids, into another listing order', () => {
    const { set } = noisy();
    const episodes = new EpisodeSampler(set, { ways: 4, shots: 1, queries: 2 }).episodes(5, new Rng(4));
    const manifest = toManifest(set, episodes);
    expect(manifest[0]!.support[0]![0]).toMatch(/^c\d\/s\d$/);
    // the same samples listed from a subset, as a method decodes only the samples it needs
    const subset = new LabeledSet(
      set.samples.filter(
        (_, i) =>
          i % 2 === 0 ||
          episodes.some((e) => e.querySet.some((q) => q.sample === i) || e.supportSet.flat().includes(i)),
      ),
      'subset',
    );
    const back = fromManifest(subset, manifest, 'm.jsonl');
    back.forEach((ep, e) => {
      expect(ep.classes).toEqual(episodes[e]!.classes);
      expect(ep.supportSet.map((s) => s.map((i) => subset.samples[i]!.id))).toEqual(
        episodes[e]!.supportSet.map((s) => s.map((i) => set.samples[i]!.id)),
      );
      expect(ep.querySet.map((q) => [subset.samples[q.sample]!.id, q.label])).toEqual(
        episodes[e]!.querySet.map((q) => [set.samples[q.sample]!.id, q.label]),
      );
    });
    expect(() => fromManifest(new LabeledSet([set.samples[0]!], 'one'), manifest, 'm.jsonl')).toThrow(
      /m\.jsonl: sample '.*' is not in one/,
    );
  });
});
