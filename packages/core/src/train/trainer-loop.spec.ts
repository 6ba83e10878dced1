// Units of the training loop (trainer.ts): the time limit, early stopping, divergence and the
// learning-rate schedule, on a tiny model and data set (cpu backend, milliseconds per run). Objectives
// written here make each behaviour exact: a clock that advances with every step, a loss that turns NaN
// at a chosen step, a loss whose gradient is 1 for every weight (so SGD moves each weight by exactly
// the learning rate per step).
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExperimentSchema, type TrainConfig } from '../config/experiment-schema.js';
import { SampleStore } from '../data/sample-store.js';
import { LabeledSet, type SampleRef } from '../labeled-set.js';
import { PairModel } from '../model/pair-model.js';
import { sampleShape, type Modality } from '../modality.js';
import { SilentProgress } from '../progress.js';
import { Rng } from '../rng.js';
import type { Objective, ObjectiveModel, ObjectiveSampler } from './objective.js';
import { PairsObjective } from './objectives.js';
import { timeLimitWarning, trainPairModel, type EpochRecord, type TrainResult } from './trainer.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-trainer-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
});

/** 4 classes of 3 noisy 2x2x1 samples. */
function tinySet(): { set: LabeledSet; store: SampleStore; skipped: [] } {
  const rng = new Rng(5);
  const samples: SampleRef[] = [];
  const rows: number[] = [];
  for (let c = 0; c < 4; c++) {
    for (let i = 0; i < 3; i++) {
      samples.push({ id: `c${c}/${i}`, path: `/x/c${c}/${i}`, label: `c${c}` });
      for (let k = 0; k < 4; k++) rows.push((k === c ? 1 : 0) + 0.1 * rng.next());
    }
  }
  return {
    set: new LabeledSet(samples, 'tiny'),
    store: new SampleStore(sampleShape([2, 2, 1], ['height', 'width', 'channels']), Float32Array.from(rows)),
    skipped: [],
  };
}

function tinyModel(): PairModel {
  const encoder = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [2, 2, 1] }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    ],
  });
  const meta = {
    kind: 'siamese' as const,
    encoder: 'tiny',
    modality: 'tiny',
    preprocess: {},
    inputShape: [2, 2, 1] as const,
    margin: 1,
    plugins: [],
    backend: 'cpu',
  };
  return PairModel.create(encoder, 'contrastive', meta, 1);
}

/** Core's pairs objective under another id, with hooks on every step and every loss. */
class HookedPairs implements Objective {
  readonly description = 'pairs with hooks (test)';
  readonly dataParallel = 'split';
  readonly pairs = new PairsObjective();
  steps = 0;
  constructor(
    readonly id: string,
    private readonly onStep: (step: number) => void = () => {},
    private readonly lossOf: (model: ObjectiveModel, x: tf.Tensor, y: tf.Tensor1D, step: number) => tf.Scalar = (
      m,
      x,
      y,
    ) => m.pairLossOf(x, y, true),
  ) {}
  sampler(set: LabeledSet, train: TrainConfig, rng: Rng): ObjectiveSampler {
    const inner = this.pairs.sampler(set, train, rng);
    return {
      next: (size?: number) => {
        this.steps++;
        this.onStep(this.steps);
        return inner.next(size);
      },
    };
  }
  loss(model: ObjectiveModel, x: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
    return this.lossOf(model, x, labels, this.steps);
  }
}

interface Run {
  result: TrainResult;
  epochs: EpochRecord[];
  /** The first weight of the encoder's kernel before training and after every epoch. */
  weights: number[];
  logs: string[];
}

async function train(
  objective: HookedPairs,
  train: Record<string, unknown>,
  withValidation = false,
  model = tinyModel(),
): Promise<Run> {
  const config = ExperimentSchema.parse({
    data: {},
    model: { head: 'contrastive' },
    train: { objective: objective.id, batchSize: 4, ...train },
  });
  const epochs: EpochRecord[] = [];
  const logs: string[] = [];
  const first = (): number => model.trainableVariables[0]!.dataSync()[0]!;
  const weights = [first()];
  try {
    const result = await trainPairModel({
      model,
      config,
      modality: { id: 'tiny' } as unknown as Modality,
      preprocess: {},
      train: tinySet(),
      ...(withValidation ? { validation: tinySet() } : {}),
      outDir: path.join(tmp, `${objective.id}-${Math.random().toString(36).slice(2)}`),
      rng: new Rng(1),
      progress: { log: (l: string) => logs.push(l), start: () => new SilentProgress().start() },
      objective,
      onEpoch: (r) => {
        epochs.push(r);
        weights.push(first());
      },
    });
    return { result, epochs, weights, logs };
  } finally {
    model.dispose();
  }
}

describe('trainer: time limit (train.timeLimitMinutes)', () => {
  /** Date.now() replaced by a clock that advances `secondsPerStep` with every training step. */
  async function withClock<T>(secondsPerStep: number, run: (objective: HookedPairs) => Promise<T>): Promise<T> {
    const realNow = Date.now;
    let now = 1_700_000_000_000;
    Date.now = () => now;
    try {
      return await run(new HookedPairs('clocked-pairs', () => (now += secondsPerStep * 1000)));
    } finally {
      Date.now = realNow;
    }
  }

  it('stops within an epoch at the first step past the limit, and says so', async () => {
    // 25 s a step, a 1-minute limit: steps at 25, 50, 75 s; the third is past it
    const { objective, run } = await withClock(25, async (objective) => ({
      objective,
      run: await train(objective, {
        epochs: 5,
        stepsPerEpoch: 10,
        timeLimitMinutes: 1,
        earlyStopping: { patience: 0 },
      }),
    }));
    expect(objective.steps).toBe(3);
    expect(run.result.stoppedBecause).toBe('time-limit');
    expect(run.result.history).toHaveLength(1);
    expect(run.result.bestEpoch).toBe(1);
    expect(run.logs.filter((l) => l.startsWith('warning:'))).toEqual([timeLimitWarning(1, 1, 5, 10)]);
    expect(timeLimitWarning(1, 1, 5, 10)).toContain('stopped by train.timeLimitMinutes (1 min) in epoch 1 of 5');
  });

  it('stops between epochs too, after the epoch that crossed the limit', async () => {
    // 2 steps an epoch: epoch 1 ends at 50 s, epoch 2 stops after its first step (75 s)
    const { objective, run } = await withClock(25, async (objective) => ({
      objective,
      run: await train(objective, { epochs: 5, stepsPerEpoch: 2, timeLimitMinutes: 1, earlyStopping: { patience: 0 } }),
    }));
    expect(objective.steps).toBe(3);
    expect(run.result.stoppedBecause).toBe('time-limit');
    expect(run.result.history.map((h) => h.epoch)).toEqual([1, 2]);
  });

  it('runs every epoch within the limit', async () => {
    const { objective, run } = await withClock(1, async (objective) => ({
      objective,
      run: await train(objective, { epochs: 3, stepsPerEpoch: 2, timeLimitMinutes: 1, earlyStopping: { patience: 0 } }),
    }));
    expect(objective.steps).toBe(6);
    expect(run.result.stoppedBecause).toBe('epochs');
    expect(run.result.history).toHaveLength(3);
    expect(run.logs.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });
});

describe('trainer: early stopping (train.earlyStopping)', () => {
  it('stops after `patience` epochs without a gain of minDelta in validation accuracy, keeping the best epoch', async () => {
    // minDelta 1: no epoch can beat the first by a whole accuracy point, so epochs 2 and 3 do not count
    const run = await train(
      new HookedPairs('patient-pairs'),
      {
        epochs: 10,
        stepsPerEpoch: 2,
        validation: { ways: 2, shots: 1, queries: 1, episodes: 4 },
        earlyStopping: { patience: 2, minDelta: 1 },
      },
      true,
    );
    expect(run.result.stoppedBecause).toBe('early-stopping');
    expect(run.result.history.map((h) => h.best)).toEqual([true, false, false]);
    expect(run.result.bestEpoch).toBe(1);
    expect(run.result.bestValAccuracy).toBe(run.result.history[0]!.valAccuracy);
    for (const h of run.result.history) expect(h.valAccuracy).toEqual(expect.any(Number));
  });

  it('never stops early with patience 0', async () => {
    const run = await train(
      new HookedPairs('impatient-pairs'),
      {
        epochs: 4,
        stepsPerEpoch: 2,
        validation: { ways: 2, shots: 1, queries: 1, episodes: 4 },
        earlyStopping: { patience: 0, minDelta: 1 },
      },
      true,
    );
    expect(run.result.stoppedBecause).toBe('epochs');
    expect(run.result.history).toHaveLength(4);
  });
});

describe('trainer: divergence', () => {
  for (const bad of [NaN, Infinity]) {
    it(`stops with the epoch, step and loss when the loss becomes ${bad}, leaking no tensor`, async () => {
      // 3 steps an epoch: step 5 is epoch 2, step 2
      const objective = new HookedPairs(`diverging-pairs-${bad}`, undefined, (m, x, y, step) =>
        tf.tidy(() => tf.add(m.pairLossOf(x, y, true), step === 5 ? bad : 0) as tf.Scalar),
      );
      const before = tf.memory().numTensors;
      await expect(train(objective, { epochs: 3, stepsPerEpoch: 3, earlyStopping: { patience: 0 } })).rejects.toThrow(
        `training diverged at epoch 2, step 2 (loss ${bad}); lower train.learningRate`,
      );
      expect(objective.steps).toBe(5);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('trainer: learning-rate schedule (train.schedule)', () => {
  /** Loss = the sum of every trainable weight: each SGD step lowers each weight by exactly the learning rate. */
  function linear(id: string, model: PairModel): HookedPairs {
    return new HookedPairs(id, undefined, () =>
      tf.tidy(() => tf.addN(model.trainableVariables.map((v) => tf.sum(v))) as tf.Scalar),
    );
  }
  const cases: [string, Record<string, unknown>, number, number[]][] = [
    ['constant', { type: 'constant' }, 3, [0.1, 0.1, 0.1]],
    ['step with warm-up', { type: 'step', stepEpochs: 1, gamma: 0.5, warmupEpochs: 1 }, 4, [0.05, 0.1, 0.05, 0.025]],
    ['exponential', { type: 'exponential', gamma: 0.5 }, 3, [0.1, 0.05, 0.025]],
    ['cosine', { type: 'cosine', minLearningRate: 0.01 }, 3, [0.1, 0.01 + 0.09 * 0.75, 0.01 + 0.09 * 0.25]],
  ];
  for (const [name, schedule, epochs, rates] of cases) {
    it(`${name}: records the rate of every epoch and the optimizer steps with it`, async () => {
      const before = tf.memory().numTensors;
      const model = tinyModel();
      const run = await train(
        linear(`linear-${name.replace(/ /g, '-')}`, model),
        { epochs, stepsPerEpoch: 2, optimizer: 'sgd', learningRate: 0.1, schedule, earlyStopping: { patience: 0 } },
        false,
        model,
      );
      expect(run.result.history.map((h) => h.learningRate)).toEqual(rates.map((r) => expect.closeTo(r, 12)));
      // 2 steps an epoch, gradient 1: each epoch moves the weight by -2 x its rate
      const moved = run.weights.slice(1).map((w, i) => run.weights[i]! - w);
      expect(moved).toEqual(rates.map((r) => expect.closeTo(2 * r, 5)));
      expect(tf.memory().numTensors).toBe(before); // the model is disposed and nothing else is left
    });
  }
});
