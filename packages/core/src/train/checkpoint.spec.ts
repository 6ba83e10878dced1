import { mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExperimentSchema } from '../config/experiment-schema.js';
import { ConfigError, ModelError } from '../errors.js';
import { checkResumable, configChanges, loadCheckpoint, saveCheckpoint, type TrainCheckpoint } from './checkpoint.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-ckpt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const config = ExperimentSchema.parse({
  name: 'c',
  modality: 'image',
  data: { train: { path: 'x' } },
  train: { epochs: 5 },
});

function checkpoint(): TrainCheckpoint {
  return {
    config,
    backend: 'cpu',
    workers: 2,
    epoch: 2,
    partial: { steps: 3, lossSum: 1.25, imagesSeen: 96, seconds: 0.5 },
    drawnSteps: 43,
    history: [],
    best: null,
    bestEpoch: -1,
    sinceBest: 0,
    elapsedSeconds: 12.5,
    augmentRng: [1, -2, 3, 4],
    trainable: Float32Array.from([0.1, 0.2, Math.PI]),
    stats: [Float32Array.from([1, 2]), Float32Array.from([3, 4])],
    optimizer: {
      kind: 'Adam',
      iterations: 43,
      names: ['w/m', 'w/v'],
      shapes: [[3], [3]],
      values: Float32Array.from([1, 2, 3, 4, 5, 6]),
      accBeta: [0.1, 0.2],
    },
    reason: 'interrupted',
  };
}

describe('training checkpoints', () => {
  it('load back exactly what was saved (a second save replaces the first)', async () => {
    const dir = path.join(tmp, 'a', 'checkpoint');
    await saveCheckpoint(dir, { ...checkpoint(), epoch: 1 });
    await saveCheckpoint(dir, checkpoint());
    expect(await loadCheckpoint(dir)).toEqual(checkpoint());
    expect(readdirSync(path.dirname(dir))).toEqual(['checkpoint']);
  });

  it('are absent (undefined) when there is no folder, and a ModelError when a file is cut short', async () => {
    expect(await loadCheckpoint(path.join(tmp, 'none'))).toBeUndefined();
    const dir = path.join(tmp, 'b');
    await saveCheckpoint(dir, checkpoint());
    truncateSync(path.join(dir, 'weights.bin'), 8);
    const err = await loadCheckpoint(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/unusable: weights.bin has 8 bytes, state.json says 28/);
    writeFileSync(path.join(dir, 'state.json'), '{"format":"other"}');
    await expect(loadCheckpoint(dir)).rejects.toThrow('state.json is not a fewshot checkpoint');
  });

  it('name every config change, and a different backend or worker count', () => {
    const changed = { ...config, seed: 9, train: { ...config.train, epochs: 6 } };
    expect(configChanges(config, changed)).toEqual(['seed: 42 -> 9', 'train.epochs: 5 -> 6']);
    expect(configChanges(config, config)).toEqual([]);
    expect(() => checkResumable(checkpoint(), '/m/checkpoint', config, 'cpu', 2)).not.toThrow();
    const err = (() => {
      try {
        checkResumable(checkpoint(), '/m/checkpoint', changed, 'wasm', 1);
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toContain('cannot resume the training in /m/checkpoint');
    expect(err.hints.slice(0, 4)).toEqual([
      'seed: 42 -> 9',
      'train.epochs: 5 -> 6',
      'backend in use: cpu -> wasm',
      'data-parallel workers (train.workers): 2 -> 1',
    ]);
  });
});
