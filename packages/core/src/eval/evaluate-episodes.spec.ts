import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PairModel } from '../model/pair-model.js';
import { SampleStore } from '../data/sample-store.js';
import { LabeledSet, type SampleRef } from '../labeled-set.js';
import { EpisodeSampler } from '../samplers/episode-sampler.js';
import { Rng } from '../rng.js';
import { evaluateEpisodes } from './evaluate-episodes.js';
import { readLakeRuns } from './lake-runs.js';
import { DataError } from '../errors.js';
import { sampleShape } from '../modality.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const meta = {
  kind: 'pixel-nn' as const,
  encoder: 'flatten',
  modality: 'test',
  preprocess: {},
  inputShape: [2, 2, 1] as const,
  margin: 1,
  plugins: [],
  backend: 'cpu',
};

/** 6 classes whose samples are noisy copies of one-hot-ish prototypes: pixel NN is perfect on them. */
function separable(): { set: LabeledSet; store: SampleStore } {
  const samples: SampleRef[] = [];
  const rows: number[] = [];
  const rng = new Rng(3);
  for (let c = 0; c < 6; c++) {
    for (let i = 0; i < 4; i++) {
      samples.push({ id: `c${c}/${i}`, path: `/x/c${c}/${i}`, label: `c${c}` });
      for (let k = 0; k < 4; k++) rows.push(k === c % 4 ? (c < 4 ? 1 : 0.5) : 0.05 * rng.next());
    }
  }
  return {
    set: new LabeledSet(samples, 'toy'),
    store: new SampleStore(sampleShape([2, 2, 1], ['height', 'width', 'channels']), Float32Array.from(rows)),
  };
}

describe('evaluateEpisodes', () => {
  it('scores a perfectly separable set at 100% and reports the episode shape', () => {
    const { set, store } = separable();
    const model = PairModel.create(
      PairModel.flattenEncoder(sampleShape([2, 2, 1], ['height', 'width', 'channels'])),
      'pixel',
      meta,
      0,
    );
    const episodes = new EpisodeSampler(set, { ways: 4, shots: 2, queries: 2 }).episodes(30, new Rng(1));
    const r = evaluateEpisodes(model, store, episodes, { batchSize: 5 });
    expect(r).toMatchObject({ accuracy: 1, ways: 4, shots: 2, queries: 2, episodes: 30, ci95: 0 });
    expect(r.embedded).toBeLessThanOrEqual(set.size);
    model.dispose();
  });

  it('is at chance when all samples are identical (ties go to the first class)', () => {
    const { set } = separable();
    const store = new SampleStore(
      sampleShape([2, 2, 1], ['height', 'width', 'channels']),
      new Float32Array(set.size * 4).fill(0.5),
    );
    const model = PairModel.create(
      PairModel.flattenEncoder(sampleShape([2, 2, 1], ['height', 'width', 'channels'])),
      'pixel',
      meta,
      0,
    );
    const episodes = new EpisodeSampler(set, { ways: 4, shots: 1, queries: 1 }).episodes(50, new Rng(2));
    expect(evaluateEpisodes(model, store, episodes).accuracy).toBeCloseTo(0.25, 5);
    model.dispose();
  });

  it('does not leak tensors', () => {
    const { set, store } = separable();
    const model = PairModel.create(
      PairModel.flattenEncoder(sampleShape([2, 2, 1], ['height', 'width', 'channels'])),
      'pixel',
      meta,
      0,
    );
    const episodes = new EpisodeSampler(set, { ways: 3, shots: 1, queries: 2 }).episodes(10, new Rng(1));
    evaluateEpisodes(model, store, episodes);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) evaluateEpisodes(model, store, episodes);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});

describe('readLakeRuns', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-runs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads runs as episodes with the labelled support class of every query', async () => {
    for (const run of ['run01', 'run02']) {
      mkdirSync(path.join(dir, run, 'training'), { recursive: true });
      mkdirSync(path.join(dir, run, 'test'), { recursive: true });
      for (const f of ['class01.png', 'class02.png', 'class03.png'])
        writeFileSync(path.join(dir, run, 'training', f), 'x');
      for (const f of ['item01.png', 'item02.png', 'item03.png']) writeFileSync(path.join(dir, run, 'test', f), 'x');
      writeFileSync(
        path.join(dir, run, 'class_labels.txt'),
        `${run}/test/item01.png ${run}/training/class03.png\n${run}/test/item02.png ${run}/training/class01.png\ntest/item03.png training/class02.png\n`,
      );
    }
    const runs = await readLakeRuns(dir);
    expect(runs.runNames).toEqual(['run01', 'run02']);
    expect(runs.episodes).toHaveLength(2);
    const ep = runs.episodes[0]!;
    expect(ep.classes).toEqual(['run01/class01.png', 'run01/class02.png', 'run01/class03.png']);
    const q = ep.querySet.map((x) => [path.basename(runs.set.samples[x.sample]!.path), ep.classes[x.label]]);
    expect(q).toEqual([
      ['item01.png', 'run01/class03.png'],
      ['item02.png', 'run01/class01.png'],
      ['item03.png', 'run01/class02.png'],
    ]);
  });

  it('names the line of a label file that points at a missing file', async () => {
    writeFileSync(path.join(dir, 'run02', 'class_labels.txt'), 'run02/test/item01.png run02/training/class09.png\n');
    await expect(readLakeRuns(dir)).rejects.toThrow(DataError);
    await expect(readLakeRuns(dir)).rejects.toThrow(
      /run02.class_labels.txt:1: file not found: run02\/training\/class09.png/,
    );
  });
});
