// Memory stays flat over long runs: 10,000 evaluation episodes and 600 training steps of a small
// convolutional Siamese model on generated data, on the wasm backend (what `auto` picks without
// tfjs-node). tfjs tensors must not grow at all (a leak of one tensor per episode or per step fails
// at once); the JS heap (after a forced garbage collection) and the process RSS may only wobble.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import {
  EpisodeSampler,
  ExperimentSchema,
  LabeledSet,
  PairModel,
  Rng,
  SampleStore,
  evaluateEpisodes,
  initBackend,
  sampleShape,
  trainPairModel,
  type Modality,
  type ProgressSink,
  type SampleRef,
} from '@fewshot/core';

v8.setFlagsFromString('--expose-gc');
/** V8's gc(), reachable without starting Node with --expose-gc. */
const gc = vm.runInNewContext('gc') as () => void;

interface Sample {
  readonly tensors: number;
  readonly bytes: number;
  /** JS heap after a full garbage collection, MB. */
  readonly heapMb: number;
  readonly rssMb: number;
}
function measure(): Sample {
  gc();
  const m = process.memoryUsage();
  const t = tf.memory();
  return { tensors: t.numTensors, bytes: t.numBytes, heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
}

/**
 * Bounds on growth after the warm-up. Tensors: none at all, so a leak of one tensor per episode or per
 * step fails (checked: a tf.scalar left behind per episode in evaluateEpisodes gave +10,000 tensors,
 * one per step in the trainer +1,199). JS heap (after gc) 4 MB and RSS 64 MB: these catch leaks of plain
 * JS data or wasm memory of a kilobyte or more per episode (the wobble measured is under 1 MB of heap
 * and under 20 MB of RSS; the allocator and wasm memory do not shrink).
 */
const HEAP_GROWTH_MB = 4;
const RSS_GROWTH_MB = 64;

function expectFlat(samples: readonly Sample[], what: string): void {
  const [first, ...rest] = samples;
  const worst = {
    tensors: Math.max(...rest.map((s) => s.tensors - first!.tensors)),
    bytes: Math.max(...rest.map((s) => s.bytes - first!.bytes)),
    heapMb: Math.max(...rest.map((s) => s.heapMb - first!.heapMb)),
    rssMb: Math.max(...rest.map((s) => s.rssMb - first!.rssMb)),
  };
  // one line per run, to see the margins in the log
  console.log(
    `${what}: growth after warm-up ${JSON.stringify({ ...worst, heapMb: +worst.heapMb.toFixed(2), rssMb: +worst.rssMb.toFixed(1) })}`,
  );
  expect(rest.map((s) => s.tensors)).toEqual(rest.map(() => first!.tensors));
  expect(worst.bytes).toBe(0);
  expect(worst.heapMb).toBeLessThan(HEAP_GROWTH_MB);
  expect(worst.rssMb).toBeLessThan(RSS_GROWTH_MB);
}

/** `classes` classes of `perClass` noisy 8x8 copies of a random prototype. */
function generated(classes: number, perClass: number, seed: number): { set: LabeledSet; store: SampleStore } {
  const rng = new Rng(seed);
  const samples: SampleRef[] = [];
  const data = new Float32Array(classes * perClass * 64);
  let o = 0;
  for (let c = 0; c < classes; c++) {
    const proto = Array.from({ length: 64 }, () => rng.next());
    for (let i = 0; i < perClass; i++) {
      samples.push({ id: `c${c}/${i}`, path: `/generated/c${c}/${i}`, label: `c${c}` });
      for (const v of proto) data[o++] = Math.min(1, Math.max(0, v + 0.2 * rng.normal()));
    }
  }
  return {
    set: new LabeledSet(samples, 'generated'),
    store: new SampleStore(sampleShape([8, 8, 1], ['height', 'width', 'channels']), data),
  };
}

function smallModel(): PairModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: s });
  const encoder = tf.sequential({
    name: 'encoder',
    layers: [
      tf.layers.conv2d({
        inputShape: [8, 8, 1],
        filters: 6,
        kernelSize: 3,
        padding: 'same',
        kernelInitializer: init(1),
        name: 'c1',
      }),
      tf.layers.batchNormalization({ name: 'bn1' }),
      tf.layers.reLU({ name: 'r1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tf.layers.flatten({ name: 'f' }),
      tf.layers.dense({ units: 16, kernelInitializer: init(2), name: 'd' }),
    ],
  });
  const meta = {
    kind: 'siamese' as const,
    encoder: 'small',
    modality: 'generated',
    preprocess: {},
    inputShape: [8, 8, 1] as const,
    margin: 1,
    plugins: [],
    backend: 'wasm',
  };
  return PairModel.create(encoder, 'l1-sigmoid', meta, 1);
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-memory-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('memory over a long run', () => {
  it('stays flat over 10,000 evaluation episodes (20 rounds of 500, 5-way 1-shot 5-query)', () => {
    const { set, store } = generated(60, 10, 1);
    const model = smallModel();
    const sampler = new EpisodeSampler(set, { ways: 5, shots: 1, queries: 5 });
    const rng = new Rng(2);
    const samples: Sample[] = [];
    let episodes = 0;
    let accuracy = 0;
    for (let round = 0; round < 21; round++) {
      const r = evaluateEpisodes(model, store, sampler.episodes(500, rng), { batchSize: 64 });
      accuracy += r.accuracy;
      // the first round is the warm-up (folded inference encoder, kernels, allocator pools)
      if (round > 0) episodes += r.episodes;
      samples.push(measure());
    }
    expect(episodes).toBe(10_000);
    expect(accuracy / 21).toBeGreaterThan(0.2); // 5-way chance; an untrained conv net on these prototypes does better
    expectFlat(samples, 'evaluation');
    model.dispose();
  });

  it('stays flat over 600 training steps (5 epochs of 120)', async () => {
    const { set, store } = generated(30, 8, 3);
    const model = smallModel();
    const config = ExperimentSchema.parse({
      data: {},
      backend: 'wasm',
      model: { head: 'l1-sigmoid' },
      train: {
        epochs: 5,
        stepsPerEpoch: 120,
        batchSize: 16,
        optimizer: 'adam',
        learningRate: 0.001,
        schedule: { type: 'cosine' },
        earlyStopping: { patience: 0 },
      },
    });
    const steps: number[] = [];
    const epochs: Sample[] = [];
    // tensors after every step, through the progress ticks the trainer gives
    const progress: ProgressSink = {
      log() {},
      start: () => ({ tick: () => void steps.push(tf.memory().numTensors), done() {} }),
    };
    const result = await trainPairModel({
      model,
      config,
      modality: { id: 'generated' } as unknown as Modality,
      preprocess: {},
      train: { set, store, skipped: [] },
      outDir: path.join(tmp, 'model'),
      rng: new Rng(4),
      progress,
      onEpoch: () => void epochs.push(measure()),
    });
    expect(result.history).toHaveLength(5);
    expect(steps).toHaveLength(600);
    // after the first step (optimizer slots created) the count never moves
    expect(new Set(steps.slice(1)).size).toBe(1);
    // epoch 1 is the warm-up (first checkpoint written, allocator pools)
    expectFlat(epochs.slice(1), 'training');
    model.dispose();
  });
});
