import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { loadConfig } from '../config/load-config.js';
import { buildModel, openExperiment } from '../experiment.js';
import { PairModel } from '../model/pair-model.js';
import { sampleShape } from '../modality.js';
import { writeToyExperiment } from './test-support.js';
import { trainExperiment } from './train-experiment.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-init-from-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const experiment = writeToyExperiment(tmp);
const pretrained = path.join(tmp, 'pretrained');

beforeAll(async () => {
  await trainExperiment(experiment, { out: pretrained });
});

async function built(overrides: string[]): Promise<PairModel> {
  return buildModel(await openExperiment(await loadConfig(experiment, overrides)));
}

function weightsOf(m: tf.LayersModel): number[][] {
  return m.getWeights().map((w) => Array.from(w.dataSync()));
}

describe('model.initFrom', () => {
  it("starts the encoder from a trained model's encoder, every weight; the head starts fresh", async () => {
    const trained = await PairModel.load(pretrained);
    const fresh = await built([]);
    const started = await built([`model.initFrom=${pretrained}`]);
    try {
      expect(weightsOf(started.encoder)).toEqual(weightsOf(trained.encoder));
      expect(weightsOf(fresh.encoder)).not.toEqual(weightsOf(trained.encoder));
      // relative to the config's folder, as data and plugin paths are
      const reset = await built([`model.initFrom=${pretrained}`, 'model.initFrom=null']); // null: from scratch
      expect(weightsOf(reset.encoder)).toEqual(weightsOf(fresh.encoder));
      reset.dispose();
      const relative = await built(['model.initFrom=pretrained']);
      expect(weightsOf(relative.encoder)).toEqual(weightsOf(trained.encoder));
      relative.dispose();
    } finally {
      trained.dispose();
      fresh.dispose();
      started.dispose();
    }
  });

  it('starts member k of an ensemble from member k of an ensemble folder', async () => {
    const ens = path.join(tmp, 'pretrained-ensemble');
    await trainExperiment(experiment, { out: ens, overrides: ['model.ensemble=2', 'train.epochs=1'] });
    const exp = await openExperiment(await loadConfig(experiment, ['model.ensemble=2', `model.initFrom=${ens}`]));
    for (const k of [0, 1]) {
      const member = await PairModel.load(path.join(ens, `member-${k + 1}`));
      const started = await buildModel(exp, 42 + k, k);
      try {
        expect(weightsOf(started.encoder)).toEqual(weightsOf(member.encoder));
      } finally {
        member.dispose();
        started.dispose();
      }
    }
    const three = await openExperiment(await loadConfig(experiment, ['model.ensemble=3', `model.initFrom=${ens}`]));
    await expect(buildModel(three, 42, 2)).rejects.toThrow(
      /model\.initFrom: .*pretrained-ensemble is an ensemble of 2, but model\.ensemble is 3/,
    );
  });

  it('trains from there, and without leaking the encoder it loaded', async () => {
    const before = tf.memory().numTensors;
    const report = await trainExperiment(experiment, {
      out: path.join(tmp, 'fine-tuned'),
      overrides: [`model.initFrom=${pretrained}`, 'train.epochs=1'],
    });
    expect(report.eval!.accuracy).toBeGreaterThan(0.5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the folder and the first weight that differs when the networks do not match', async () => {
    // a model of another network: one dense layer of 3 on 4x4x1 inputs
    const other = path.join(tmp, 'other');
    const enc = tf.sequential({
      name: 'encoder',
      layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3 })],
    });
    const shape = sampleShape([4, 4, 1], ['height', 'width', 'channels']);
    const m = PairModel.create(
      enc,
      'contrastive',
      {
        kind: 'siamese',
        encoder: 'tiny',
        modality: 'toy',
        preprocess: {},
        inputShape: shape.dims,
        sampleShape: shape,
        margin: 1,
        plugins: [],
        backend: 'cpu',
      },
      1,
    );
    await m.save(other);
    m.dispose();
    const e = await built([`model.initFrom=${other}`]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toMatch(
      /model\.initFrom: the encoder in .*other has 2 weight arrays, this config's encoder 4/,
    );
    expect((e as ConfigError).hints.join('\n')).toMatch(/its encoder is 'tiny' for toy data/);
    const missing = await built([`model.initFrom=${path.join(tmp, 'nowhere')}`]).catch((x: unknown) => x);
    expect(missing).toBeInstanceOf(ConfigError);
    expect((missing as ConfigError).message).toMatch(/toy\.yaml: model\.initFrom: .*nowhere/);
    await expect(built(['model.type=naive', `model.initFrom=${pretrained}`])).rejects.toThrow(
      /model\.initFrom starts a siamese encoder; the naive model has none/,
    );
  });
});
