import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../errors.js';
import { scoreByClassMean } from '../eval/evaluate-episodes.js';
import { classify } from './classify.js';
import { writeToyExperiment } from './test-support.js';
import { trainExperiment } from './train-experiment.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-api-classify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const experiment = writeToyExperiment(tmp);
const test = path.join(tmp, 'data', 'test');
const model = path.join(tmp, 'model');
const support = path.join(tmp, 'support');

beforeAll(async () => {
  await trainExperiment(experiment, { out: model, evaluate: false });
  // two examples of each of 4 test classes (never seen in training)
  for (const c of ['te00', 'te01', 'te02', 'te03']) {
    mkdirSync(path.join(support, c), { recursive: true });
    for (const i of [0, 1]) copyFileSync(path.join(test, c, `s${i}.json`), path.join(support, c, `e${i}.json`));
  }
});

describe('classify', () => {
  it('gives each file the class of its nearest support class, in the order given, without leaking tensors', async () => {
    const files = ['te02', 'te00', 'te03', 'te01'].map((c) => path.join(test, c, 's3.json'));
    const before = tf.memory().numTensors;
    const r = await classify({ model, support, files, top: 2, backend: 'cpu' });
    expect(tf.memory().numTensors).toBe(before);
    expect(r.backend).toBe('cpu');
    expect(r.model).toBe(model);
    expect(r.results.map((x) => x.file)).toEqual(files);
    expect(r.results.map((x) => x.label)).toEqual(['te02', 'te00', 'te03', 'te01']);
    for (const x of r.results) {
      expect(x.ranking).toHaveLength(2);
      expect(x.ranking[0]!.label).toBe(x.label);
      expect(x.ranking[0]!.score).toBeGreaterThanOrEqual(x.ranking[1]!.score);
    }
    // the same files again: the same scores
    expect((await classify({ model, support, files, top: 2, backend: 'cpu' })).results).toEqual(r.results);
  });

  it('ranks every class with a large top, and at least one with top 0', async () => {
    const file = path.join(test, 'te01', 's4.json');
    expect(
      (await classify({ model, support, files: [file], top: 10 })).results[0]!.ranking.map((x) => x.label).sort(),
    ).toEqual(['te00', 'te01', 'te02', 'te03']);
    expect((await classify({ model, support, files: [file], top: 0 })).results[0]!.ranking).toHaveLength(1);
  });

  it('names a missing model, support folder or file', async () => {
    const file = path.join(test, 'te01', 's4.json');
    await expect(classify({ model: path.join(tmp, 'none'), support, files: [file] })).rejects.toThrow(
      /not a fewshot model folder: .*none/,
    );
    await expect(classify({ model, support: path.join(tmp, 'nowhere'), files: [file] })).rejects.toThrow(
      /data folder not found: .*nowhere/,
    );
    await expect(classify({ model, support, files: [] })).rejects.toThrow(DataError);
    await expect(classify({ model, support, files: [path.join(tmp, 'missing.json')] })).rejects.toThrow(
      /cannot decode .*missing.json/,
    );
  });
});

describe('scoreByClassMean', () => {
  it("scores each task's queries against its classes by the mean of the pair scores, in one scorePairs call", () => {
    // rows are numbers; a pair's score is -|a - b|
    const emb = Float32Array.from([0, 1, 3, 10, 0.5, 9]);
    const calls: number[] = [];
    const scorer = {
      scorePairs(e: Float32Array, left: Int32Array, right: Int32Array): Float32Array {
        calls.push(left.length);
        return Float32Array.from(left, (l, k) => -Math.abs(e[l]! - e[right[k]!]!));
      },
    };
    const [a, b] = scoreByClassMean(scorer, emb, [
      { queries: [4, 5], supportSet: [[0, 1], [3]] },
      { queries: [2], supportSet: [[0], [1], [3]] },
    ]);
    expect(calls).toEqual([6 + 3]);
    expect([...a!]).toEqual([-0.5, -9.5, -8.5, -1]);
    expect([...b!]).toEqual([-3, -2, -7]);
  });
});
