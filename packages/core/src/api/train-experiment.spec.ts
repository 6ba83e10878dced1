import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { ConfigError } from '../errors.js';
import type { EpochRecord } from '../train/trainer.js';
import { memberRuns } from './member-runs.js';
import { resolveExperiment } from './resolve-experiment.js';
import { recordingProgress, writeToyExperiment } from './test-support.js';
import { trainExperiment } from './train-experiment.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-api-train-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const experiment = writeToyExperiment(tmp);

describe('trainExperiment', () => {
  it('trains, saves the model, config and history, evaluates, and reports every epoch', async () => {
    const out = path.join(tmp, 'single');
    const epochs: [EpochRecord, number][] = [];
    const progress = recordingProgress();
    const summary = await trainExperiment(experiment, { out, progress, onEpoch: (r, m) => epochs.push([r, m]) });
    for (const f of ['fewshot.json', 'config.yaml', 'history.json', 'encoder/model.json', 'eval.json'])
      expect(existsSync(path.join(out, f))).toBe(true);
    expect(summary).toMatchObject({ model: out, backend: 'cpu', stoppedBecause: 'epochs' });
    expect(summary.members).toBeUndefined();
    expect(epochs.map(([r, m]) => [r.epoch, m])).toEqual([
      [1, 0],
      [2, 0],
    ]);
    expect(summary.bestEpoch).toBe(epochs.filter(([r]) => r.best).at(-1)![0].epoch); // the last epoch that improved
    expect(summary.bestValAccuracy).toBe(epochs[summary.bestEpoch! - 1]![0].valAccuracy);
    expect(summary.eval).toMatchObject({ ways: 5, shots: 1, episodes: 30, model: out, modelKind: 'siamese' });
    expect(summary.eval!.accuracy).toBeGreaterThan(0.6); // chance is 0.2
    expect(JSON.parse(readFileSync(path.join(out, 'eval.json'), 'utf8'))).toEqual(summary.eval);
    expect(progress.lines[0]).toMatch(/^fewshot train 'toy': siamese toy-dense \+ contrastive on the cpu backend$/);
  });

  it('gives the same results for the same seed, and other ones for another seed', async () => {
    const a = await trainExperiment(experiment, { out: path.join(tmp, 'det-a') });
    const b = await trainExperiment(experiment, { out: path.join(tmp, 'det-b') });
    expect(b.eval!.accuracy).toBe(a.eval!.accuracy);
    expect(b.bestValAccuracy).toBe(a.bestValAccuracy);
    const history = (dir: string) =>
      JSON.parse(readFileSync(path.join(tmp, dir, 'history.json'), 'utf8')).history.map(
        (h: { loss: number }) => h.loss,
      );
    expect(history('det-b')).toEqual(history('det-a'));
    await trainExperiment(experiment, { out: path.join(tmp, 'det-c'), overrides: ['seed=8'], evaluate: false });
    expect(history('det-c')).not.toEqual(history('det-a'));
  });

  it('trains an ensemble of 2 after removing an older model from the folder, and scores it on validation', async () => {
    const out = path.join(tmp, 'ensemble');
    mkdirSync(path.join(out, 'member-3'), { recursive: true });
    writeFileSync(path.join(out, 'history.json'), '{}');
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const members: number[] = [];
    const summary = await trainExperiment(experiment, {
      out,
      overrides: ['model.ensemble=2'],
      onEpoch: (_, m) => members.push(m),
    });
    expect(members).toEqual([0, 0, 1, 1]);
    expect(existsSync(path.join(out, 'member-3'))).toBe(false);
    expect(existsSync(path.join(out, 'history.json'))).toBe(false);
    expect(readFileSync(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(summary.members!.map((m) => m.folder)).toEqual(['member-1', 'member-2']);
    expect(summary.memberValAccuracy).toHaveLength(2);
    expect(summary.bestEpoch).toBeNull();
    expect(summary.bestValAccuracy).toBeGreaterThan(0.5);
    expect(summary.eval!.modelKind).toBe('ensemble of 2 siamese');
    expect(JSON.parse(readFileSync(path.join(out, 'fewshot.json'), 'utf8'))).toMatchObject({
      format: 'fewshot-ensemble',
      members: ['member-1', 'member-2'],
    });
    expect(readFileSync(path.join(out, 'member-2', 'config.yaml'), 'utf8')).toMatch(/^seed: 8$/m);
  });

  it('saves the model as built with train.epochs: 0, and refuses an untrained ensemble', async () => {
    const out = path.join(tmp, 'built');
    const before = tf.memory().numTensors;
    const summary = await trainExperiment(experiment, { out, overrides: ['train.epochs=0'], evaluate: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(summary).toEqual({
      model: out,
      backend: 'cpu',
      bestEpoch: 0,
      bestValAccuracy: null,
      stoppedBecause: 'not-trained',
      trainSeconds: 0,
    });
    expect(existsSync(path.join(out, 'fewshot.json'))).toBe(true);
    expect(existsSync(path.join(out, 'history.json'))).toBe(false);
    expect(existsSync(path.join(out, 'eval.json'))).toBe(false);
    await expect(
      trainExperiment(experiment, { out: path.join(tmp, 'x'), overrides: ['train.epochs=0', 'model.ensemble=2'] }),
    ).rejects.toThrow(/model.ensemble is 2, but train.epochs is 0/);
  });

  it('takes a loaded config, with overrides and the backend recorded in the saved config', async () => {
    const loaded = await loadConfig(experiment);
    const out = path.join(tmp, 'loaded');
    const summary = await trainExperiment(loaded, {
      out,
      overrides: ['train.epochs=1'],
      backend: 'cpu',
      evaluate: false,
    });
    expect(summary.eval).toBeUndefined();
    expect(JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8')).history).toHaveLength(1);
    expect(readFileSync(path.join(out, 'config.yaml'), 'utf8')).toMatch(
      /overrides: --set train.epochs=1 --set backend=cpu/,
    );
    await expect(trainExperiment(loaded, { out, overrides: ['train.epochs=-1'] })).rejects.toThrow(ConfigError);
  });
});

describe('resolveExperiment and memberRuns', () => {
  it('applies overrides to a loaded config and keeps its file', async () => {
    const loaded = await loadConfig(experiment, ['train.epochs=3']);
    const again = await resolveExperiment(loaded, ['eval.ways=4']);
    expect(again).toMatchObject({
      file: loaded.file,
      dataRoot: loaded.dataRoot,
      overrides: ['train.epochs=3', 'eval.ways=4'],
    });
    expect(again.config.train.epochs).toBe(3);
    expect(again.config.eval.ways).toBe(4);
    expect(await resolveExperiment(loaded)).toBe(loaded);
  });

  it('splits an ensemble into members with seeds seed+k and equal time shares', async () => {
    const { config } = await loadConfig(experiment, ['model.ensemble=3', 'train.timeLimitMinutes=30']);
    const runs = memberRuns(config);
    expect(runs.map((r) => [r.dir, r.config.seed, r.config.train.timeLimitMinutes, r.config.model.ensemble])).toEqual([
      ['member-1', 7, 10, 1],
      ['member-2', 8, 10, 1],
      ['member-3', 9, 10, 1],
    ]);
    expect(memberRuns((await loadConfig(experiment)).config)).toEqual([
      { dir: '.', config: (await loadConfig(experiment)).config },
    ]);
  });
});

describe('trainExperiment({ resume: true })', () => {
  const overrides = ['train.epochs=3', 'train.stepsPerEpoch=6'];
  const weights = (dir: string): Buffer => readFileSync(path.join(dir, 'encoder', 'weights.bin'));
  const losses = (dir: string): number[] =>
    JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')).history.map((h: { loss: number }) => h.loss);

  it('continues a run stopped by its signal to the same weights, metrics and evaluation as one never stopped', async () => {
    const reference = await trainExperiment(experiment, { out: path.join(tmp, 'resume-ref'), overrides });
    const out = path.join(tmp, 'resume-stopped');
    const controller = new AbortController();
    const stopped = await trainExperiment(experiment, {
      out,
      overrides,
      signal: controller.signal,
      onEpoch: (r) => r.epoch === 1 && controller.abort(),
    }).catch((e: unknown) => e);
    expect((stopped as Error).message).toBe(
      `training stopped after step 1 of 6 of epoch 2/3; checkpoint saved to ${path.join(out, 'checkpoint')}`,
    );
    expect((stopped as ConfigError).hints).toEqual([
      `resume with: fewshot train ${experiment} --out ${out} --set train.epochs=3 --set train.stepsPerEpoch=6 --resume`,
      'or from code: trainExperiment(experiment, { out, ..., resume: true })',
    ]);
    const epochs: number[] = [];
    const resumed = await trainExperiment(experiment, {
      out,
      overrides,
      resume: true,
      onEpoch: (r) => epochs.push(r.epoch),
    });
    expect(epochs).toEqual([2, 3]);
    expect(weights(out).equals(weights(path.join(tmp, 'resume-ref')))).toBe(true);
    expect(losses(out)).toEqual(losses(path.join(tmp, 'resume-ref')));
    expect([resumed.eval!.accuracy, resumed.eval!.ci95]).toEqual([reference.eval!.accuracy, reference.eval!.ci95]);
    expect(existsSync(path.join(out, 'checkpoint'))).toBe(false);
  });

  it('keeps a finished run (evaluating it again), refuses one finished with another config, and starts a run without a checkpoint', async () => {
    const out = path.join(tmp, 'resume-ref');
    const before = weights(out);
    const epochs: number[] = [];
    const again = await trainExperiment(experiment, {
      out,
      overrides,
      resume: true,
      onEpoch: (r) => epochs.push(r.epoch),
    });
    expect(epochs).toEqual([]);
    expect(weights(out).equals(before)).toBe(true);
    expect(again.stoppedBecause).toBe('epochs');
    const err = await trainExperiment(experiment, { out, overrides: [...overrides, 'seed=8'], resume: true }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).hints[0]).toBe('seed: 7 -> 8');
    const fresh = path.join(tmp, 'resume-nothing');
    const progress = recordingProgress();
    await trainExperiment(experiment, { out: fresh, overrides, resume: true, evaluate: false, progress });
    expect(progress.lines).toContain(
      `resume: no checkpoint in ${path.join(fresh, 'checkpoint')}: the model trains from the start`,
    );
    expect(losses(fresh)).toEqual(losses(out));
  });
});
