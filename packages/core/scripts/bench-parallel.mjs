#!/usr/bin/env node
// Data-parallel training speed (run `npx tsc -b` first): images/s of the trainer's single-process
// step vs GradientWorkerPool (packages/core/src/train/parallel/) on a Conv-4 Siamese model
// (image plugin's conv4, l1-sigmoid head, Adam), random 28x28 data.
//
//   node packages/core/scripts/bench-parallel.mjs [--batch 64] [--steps 6] [--rounds 3]
//        [--modes single,pool1,pool2,pool2-master] [--backend wasm]
//
// Modes: `single` = the trainer's in-process step (tensor from the batch, optimizer.minimize, read the
// loss); `poolW` = a pool of W workers, each applying the averaged gradient with its own optimizer;
// `poolW-master` = the main thread applies it and sends the weights. The pool loop is pipelined as
// the trainer would use it: the next batch is sampled while the workers compute. Modes run one after
// the other in every round (the order rotates each round), so background load hits all of them alike;
// reported: the median images/s of each mode, the ratio of medians to `single`, and the median of the
// per-round ratios. The machine's load average is printed: a busy machine depresses every figure, and
// a machine whose cores are taken by other work leaves workers nothing to run on. So the process's CPU
// time (all threads, process.cpuUsage) is reported too: CPU ms per image (the work a mode does,
// nearly independent of load) and cores used (CPU time / wall time). `W x cpu/img(single) /
// cpu/img(poolW)` bounds what W workers can reach on W otherwise idle cores.
import os from 'node:os';
import { createContainer, initBackend, makeOptimizer, PairModel, sampleShape, tf } from '@fewshot/core';
import { GradientWorkerPool } from '../dist/train/parallel/gradient-worker-pool.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const BATCH = Number(opt('batch', 64));
const STEPS = Number(opt('steps', 6));
const ROUNDS = Number(opt('rounds', 3));
const MODES = opt('modes', 'single,pool1,pool2,pool2-master').split(',');
const BACKEND = opt('backend', 'wasm');
const SHAPE = [28, 28, 1];
const SIZE = SHAPE[0] * SHAPE[1] * SHAPE[2];

tf.env().set('PROD', true);
await initBackend(BACKEND);
const { registry } = await createContainer();
const optimizerSettings = { optimizer: 'adam', learningRate: 0.001, momentum: 0.9 };
const meta = {
  kind: 'siamese',
  encoder: 'conv4',
  modality: 'image',
  preprocess: {},
  inputShape: SHAPE,
  margin: 1,
  plugins: [],
  backend: BACKEND,
};
const newModel = () =>
  PairModel.create(
    registry.encoder('conv4').build(sampleShape(SHAPE, ['height', 'width', 'channels']), {}, 1),
    'l1-sigmoid',
    meta,
    1,
  );

// random "data set" and pair batches assembled in JS, as SampleStore.batch does
const N = 2000;
const data = Float32Array.from({ length: N * SIZE }, Math.random);
function makeBatch() {
  const x = new Float32Array(2 * BATCH * SIZE);
  const y = new Float32Array(BATCH);
  for (let k = 0; k < 2 * BATCH; k++) {
    const i = Math.floor(Math.random() * N);
    x.set(data.subarray(i * SIZE, (i + 1) * SIZE), k * SIZE);
  }
  for (let k = 0; k < BATCH; k++) y[k] = k % 2;
  return { x, y };
}

/** A runner does `steps` training steps and resolves when the last one is done. */
async function singleRunner() {
  const model = newModel();
  const optimizer = makeOptimizer(optimizerSettings);
  const vars = model.trainableVariables;
  return async (steps) => {
    for (let s = 0; s < steps; s++) {
      const b = makeBatch();
      const x = tf.tensor4d(b.x, [2 * BATCH, ...SHAPE]);
      const y = tf.tensor1d(b.y);
      const cost = optimizer.minimize(() => model.pairLossOf(x, y, true), true, vars);
      await cost.data();
      tf.dispose([x, y, cost]);
    }
  };
}

async function poolRunner(workers, update) {
  const pool = await GradientWorkerPool.create(newModel(), {
    workers,
    optimizer: optimizerSettings,
    update,
    backend: BACKEND,
  });
  pools.push(pool);
  return async (steps) => {
    let pending;
    for (let s = 0; s < steps; s++) {
      const b = makeBatch(); // overlaps the step in flight
      const next = pool.step(b.x, b.y);
      if (pending) await pending;
      pending = next;
    }
    await pending;
  };
}

const pools = [];
const runners = {};
for (const mode of MODES) {
  const m = /^pool(\d+)(-master)?$/.exec(mode);
  if (mode === 'single') runners[mode] = await singleRunner();
  else if (m) runners[mode] = await poolRunner(Number(m[1]), m[2] ? 'master' : 'replicas');
  else throw new Error(`unknown mode ${mode}`);
  await runners[mode](1); // warm-up (optimizer slots, kernel set-up)
}

const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
console.log(
  `${BACKEND}, batch ${BATCH} pairs (${2 * BATCH} images of ${SHAPE.join('x')}), ${STEPS} steps x ${ROUNDS} rounds, ${os.availableParallelism()} cores, load average ${load()}`,
);
const rate = Object.fromEntries(MODES.map((m) => [m, []]));
const cpuPerImage = Object.fromEntries(MODES.map((m) => [m, []]));
const cores = Object.fromEntries(MODES.map((m) => [m, []]));
for (let r = 0; r < ROUNDS; r++) {
  const order = MODES.map((_, i) => MODES[(i + r) % MODES.length]);
  const line = [];
  for (const mode of order) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await runners[mode](STEPS);
    const wallMs = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const cpuMs = (c.user + c.system) / 1000;
    const ips = (STEPS * 2 * BATCH) / (wallMs / 1000);
    rate[mode].push(ips);
    cpuPerImage[mode].push(cpuMs / (STEPS * 2 * BATCH));
    cores[mode].push(cpuMs / wallMs);
    line.push(`${mode} ${ips.toFixed(0)}`);
  }
  console.log(`round ${r + 1}: ${line.join(', ')} img/s`);
}
console.log(`load average at the end ${load()}`);
console.log(
  '\nmode            median img/s   ratio of medians   median per-round ratio   CPU ms/img   cores used   bound on idle cores',
);
for (const mode of MODES) {
  const ratio = rate.single ? (med(rate[mode]) / med(rate.single)).toFixed(2) : '-';
  const perRound = rate.single ? med(rate[mode].map((v, i) => v / rate.single[i])).toFixed(2) : '-';
  const w = Number(/^pool(\d+)/.exec(mode)?.[1] ?? 1);
  const bound = rate.single ? ((w * med(cpuPerImage.single)) / med(cpuPerImage[mode])).toFixed(2) : '-';
  console.log(
    `${mode.padEnd(15)} ${med(rate[mode]).toFixed(0).padStart(12)}   ${ratio.padStart(16)}   ${perRound.padStart(22)}` +
      `   ${med(cpuPerImage[mode]).toFixed(2).padStart(10)}   ${med(cores[mode]).toFixed(2).padStart(10)}   ${bound.padStart(19)}`,
  );
}
await Promise.all(pools.map((p) => p.close()));
