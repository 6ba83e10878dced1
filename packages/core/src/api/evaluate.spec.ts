import * as tf from '@tensorflow/tfjs';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { evaluate } from './evaluate.js';
import { writeToyExperiment } from './test-support.js';
import { trainExperiment } from './train-experiment.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-api-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const experiment = writeToyExperiment(tmp);
const model = path.join(tmp, 'model');
let trainedAccuracy: number;

beforeAll(async () => {
  trainedAccuracy = (await trainExperiment(experiment, { out: model })).eval!.accuracy;
});

/** Two one-shot runs in Lake's format over the test split: 3 support files each, 2 queries per class. */
function writeRuns(): string {
  const runs = path.join(tmp, 'runs');
  const test = path.join(tmp, 'data', 'test');
  for (const [r, classes] of [
    ['run01', ['te00', 'te01', 'te02']],
    ['run02', ['te03', 'te04', 'te05']],
  ] as const) {
    const lines: string[] = [];
    mkdirSync(path.join(runs, r, 'training'), { recursive: true });
    mkdirSync(path.join(runs, r, 'test'), { recursive: true });
    for (const c of classes) {
      copyFileSync(path.join(test, c, 's0.json'), path.join(runs, r, 'training', `${c}.json`));
      for (const i of [1, 2]) {
        copyFileSync(path.join(test, c, `s${i}.json`), path.join(runs, r, 'test', `${c}-${i}.json`));
        lines.push(`test/${c}-${i}.json training/${c}.json`);
      }
    }
    writeFileSync(path.join(runs, r, 'class_labels.txt'), lines.join('\n') + '\n');
  }
  return runs;
}

describe('evaluate', () => {
  it("evaluates a model folder with its saved config, as training's final evaluation did, without leaking tensors", async () => {
    const before = tf.memory().numTensors;
    const report = await evaluate({ model });
    expect(tf.memory().numTensors).toBe(before);
    expect(report).toMatchObject({
      ways: 5,
      shots: 1,
      episodes: 30,
      trials: 150,
      model,
      modelKind: 'siamese',
      backend: 'cpu',
      seed: 7,
      ttaViews: 1,
    });
    expect(report.data).toBe(`episodes:${path.join(tmp, 'data', 'test')}`);
    expect(report.accuracy).toBe(trainedAccuracy);
    expect((await evaluate({ model })).accuracy).toBe(report.accuracy);
  });

  it('writes eval.json and the resolved config with out, and applies overrides', async () => {
    const out = path.join(tmp, 'eval-out');
    const report = await evaluate({ model, experiment, out, overrides: ['eval.ways=3', 'eval.episodes=12'] });
    expect(report).toMatchObject({ ways: 3, episodes: 12 });
    expect(JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8'))).toEqual(report);
    expect(readFileSync(path.join(out, 'config.yaml'), 'utf8')).toMatch(
      /overrides: --set eval.ways=3 --set eval.episodes=12/,
    );
  });

  it("changes the model's saved preprocessing only through data.preprocess overrides", async () => {
    const out = path.join(tmp, 'eval-scale');
    // the toy modality multiplies values by `scale`: at 0 every sample is the same, so the first class always wins
    const report = await evaluate({ model, out, overrides: ['data.preprocess.scale=0'] });
    expect(readFileSync(path.join(out, 'config.yaml'), 'utf8')).toMatch(/^ {4}scale: 0$/m);
    expect(report.accuracy).toBeCloseTo(0.2, 5);
  });

  it('scores L2-normalised embeddings with eval.normalize: l2, and says so in the report', async () => {
    const raw = await evaluate({ model, overrides: ['eval.episodes=40'] });
    expect(raw.normalize).toBe('none');
    const l2 = await evaluate({ model, overrides: ['eval.episodes=40', 'eval.normalize=l2'] });
    expect(l2).toMatchObject({ normalize: 'l2', modelKind: 'siamese', embedded: raw.embedded, episodes: 40 });
    // the same episodes, scored on unit-length embeddings: some queries change their answer
    expect(l2.accuracy).not.toBe(raw.accuracy);
    expect((await evaluate({ model, overrides: ['eval.episodes=40', 'eval.normalize=l2'] })).accuracy).toBe(
      l2.accuracy,
    );
    // baselines compare raw inputs: the setting does not apply, and the report says so
    const pixel = await evaluate({ baseline: 'pixel', experiment, overrides: ['eval.normalize=l2'] });
    expect(pixel.normalize).toBe('none');
    const bad = await evaluate({ model, overrides: ['eval.normalize=cosine'] }).catch((e: ConfigError) => e);
    expect(bad).toBeInstanceOf(ConfigError);
    expect((bad as ConfigError).hints.join('\n')).toMatch(/eval\.normalize.*'none' \| 'l2'|eval\.normalize.*none.*l2/);
  });

  it("evaluates explicit runs in Lake's format", async () => {
    const runs = writeRuns();
    const report = await evaluate({ model, runs });
    expect(report).toMatchObject({ data: `runs:${runs}`, ways: 3, shots: 1, queries: 2, episodes: 2, trials: 12 });
    expect(report.accuracy).toBeGreaterThan(0.6);
  });

  it("evaluates the pixel baseline and a plugin's baseline on the experiment's episodes", async () => {
    const pixel = await evaluate({ baseline: 'pixel', experiment });
    expect(pixel).toMatchObject({ model: 'pixel nearest neighbour', modelKind: 'pixel-nn', ways: 5, episodes: 30 });
    const l1 = await evaluate({ baseline: 'toy-l1', experiment });
    expect(l1).toMatchObject({ model: 'baseline toy-l1', modelKind: 'baseline:toy-l1' });
    expect(l1.accuracy).toBeGreaterThan(0.6);
    await expect(evaluate({ baseline: 'toy-l2', experiment })).rejects.toThrow(
      /no loaded plugin provides the baseline 'toy-l2'/,
    );
  });

  it('says what is missing', async () => {
    await expect(evaluate({})).rejects.toThrow(ConfigError);
    await expect(evaluate({ model, baseline: 'pixel' })).rejects.toThrow(/either a model or a baseline/);
    await expect(evaluate({ baseline: 'pixel' })).rejects.toThrow(/a baseline needs an experiment/);
    await expect(evaluate({ model: path.join(tmp, 'no-model') })).rejects.toThrow(
      /not a fewshot model folder: .*no-model/,
    );
  });
});
