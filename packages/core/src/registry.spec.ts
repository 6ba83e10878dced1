import 'reflect-metadata';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Container, ContainerModule } from 'inversify';
import { coreModule } from './container.js';
import { ModalityRegistry } from './registry.js';
import { Baseline } from './baseline.js';
import { Objective, type ObjectiveModel, type ObjectiveSampler } from './train/objective.js';
import { PairsObjective } from './train/objectives.js';
import { ConfigError, PluginError } from './errors.js';
import { ExperimentSchema, type TrainConfig } from './config/experiment-schema.js';
import { parseConfigText } from './config/load-config.js';
import { openExperiment } from './experiment.js';
import { LabeledSet, type SampleRef } from './labeled-set.js';
import { SampleStore } from './data/sample-store.js';
import { PairModel } from './model/pair-model.js';
import { sampleShape, type Modality } from './modality.js';
import { Rng } from './rng.js';
import { SilentProgress } from './progress.js';
import { trainPairModel } from './train/trainer.js';

/** A plugin's objective: core's pairs, with 1000 added to the loss (so a run shows whose loss it used). */
class OffsetPairs implements Objective {
  readonly id = 'offset-pairs';
  readonly description = 'pairs + 1000 (test)';
  readonly dataParallel = 'split';
  readonly pairs = new PairsObjective();
  samplers = 0;
  steps = 0;
  losses = 0;
  sampler(set: LabeledSet, train: TrainConfig, rng: Rng): ObjectiveSampler {
    this.samplers++;
    const inner = this.pairs.sampler(set, train, rng);
    return {
      next: (size?: number) => {
        this.steps++;
        return inner.next(size);
      },
    };
  }
  loss(model: ObjectiveModel, x: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
    this.losses++;
    return tf.tidy(() => tf.add(model.pairLossOf(x, labels, true), 1000) as tf.Scalar);
  }
}

function registryWith(...modules: ContainerModule[]): ModalityRegistry {
  const c = new Container();
  c.load(coreModule, ...modules);
  return c.get<ModalityRegistry>(ModalityRegistry);
}

const objectivePlugin = (objective: Objective) =>
  new ContainerModule(({ bind }) => {
    bind(Objective).toConstantValue(objective);
  });

describe('registry: objectives and baselines', () => {
  it("lists core's objectives and the pixel baseline", () => {
    const r = registryWith();
    expect(r.objectives.map((o) => o.id)).toEqual(['pairs', 'triplet', 'prototypes']);
    expect(r.objective('prototypes').dataParallel).toBe('whole');
    expect(r.objective('triplet').heads).toEqual(['contrastive']);
    expect(r.baselines.map((b) => b.id)).toEqual(['pixel']);
    expect(r.baseline('pixel').modalities).toEqual([]);
  });

  it('adds a plugin objective, and suggests the closest id for an unknown one', () => {
    const r = registryWith(objectivePlugin(new OffsetPairs()));
    expect(r.objectives.map((o) => o.id)).toEqual(['pairs', 'triplet', 'prototypes', 'offset-pairs']);
    expect(r.objective('offset-pairs').description).toBe('pairs + 1000 (test)');
    let err: unknown;
    try {
      r.objective('tripplet');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe("no loaded plugin provides the objective 'tripplet'");
    expect((err as ConfigError).hints[0]).toBe(
      "did you mean 'triplet'? loaded objectives: pairs, triplet, prototypes, offset-pairs",
    );
  });

  it('refuses two objectives (or baselines) with one id', () => {
    const twin: Objective = Object.assign(new OffsetPairs(), { id: 'triplet' });
    expect(() => registryWith(objectivePlugin(twin))).toThrow(PluginError);
    expect(() => registryWith(objectivePlugin(twin))).toThrow("provide the objective 'triplet'");
    const pixel = { id: 'pixel', description: 'another', modalities: [], distance: () => 0 };
    expect(() => registryWith(new ContainerModule(({ bind }) => void bind(Baseline).toConstantValue(pixel)))).toThrow(
      "provide the baseline 'pixel'",
    );
  });

  it('checks train.objective when the experiment opens, naming the file and the key', async () => {
    const text = (objective: string) => `backend: cpu\nmodality: image\ndata: {}\ntrain:\n  objective: ${objective}\n`;
    const file = path.join(os.tmpdir(), 'objective-typo.yaml');
    await expect(openExperiment(parseConfigText(text('prototype'), file))).rejects.toThrow(
      `${file}: train.objective: no loaded plugin provides the objective 'prototype'`,
    );
    await expect(openExperiment(parseConfigText(text('prototype'), file))).rejects.toMatchObject({
      hints: [expect.stringContaining("did you mean 'prototypes'?"), expect.any(String)],
    });
    const exp = await openExperiment(parseConfigText(text('prototypes'), file));
    expect(exp.loaded.config.train.objective).toBe('prototypes');
  });
});

describe('training with a plugin objective', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-objective-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  /** 4 classes of 3 noisy 2x2x1 samples. */
  function tinySet(): { set: LabeledSet; store: SampleStore } {
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
    };
  }

  function model(): PairModel {
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

  function run(objectiveId: string, objective: Objective | undefined) {
    const config = ExperimentSchema.parse({
      data: {},
      model: { head: 'contrastive' },
      train: { objective: objectiveId, epochs: 1, stepsPerEpoch: 3, batchSize: 4, earlyStopping: { patience: 0 } },
    });
    const m = model();
    const decoded = { ...tinySet(), skipped: [] };
    return trainPairModel({
      model: m,
      config,
      modality: { id: 'tiny' } as unknown as Modality,
      preprocess: {},
      train: decoded,
      outDir: path.join(tmp, objectiveId),
      rng: new Rng(1),
      progress: new SilentProgress(),
      ...(objective ? { objective } : {}),
    }).finally(() => m.dispose());
  }

  it("uses the plugin's sampler and loss for a 1-epoch run", async () => {
    const objective = registryWith(objectivePlugin(new OffsetPairs())).objective('offset-pairs') as OffsetPairs;
    const before = tf.memory().numTensors;
    const r = await run('offset-pairs', objective);
    expect(tf.memory().numTensors).toBe(before);
    expect([objective.samplers, objective.steps, objective.losses]).toEqual([1, 3, 3]);
    expect(r.history).toHaveLength(1);
    expect(r.history[0]!.loss).toBeGreaterThan(1000);
    expect(r.history[0]!.loss).toBeLessThan(1010);
  });

  it("runs core's objectives by id without a registry, and refuses a plugin's id without its objective", async () => {
    const r = await run('pairs', undefined);
    expect(r.history[0]!.loss).toBeLessThan(10);
    await expect(run('offset-pairs', undefined)).rejects.toThrow(
      /train.objective 'offset-pairs' is not one of core's objectives \(pairs, triplet, prototypes\)/,
    );
  });

  it('refuses a model whose head the objective cannot train', async () => {
    const cosineOnly = Object.assign(new OffsetPairs(), { heads: ['cosine'] });
    await expect(run('offset-pairs', cosineOnly)).rejects.toThrow(
      "train.objective 'offset-pairs' is made for the cosine head: it needs model.head: cosine, not 'contrastive'",
    );
  });
});
