#!/usr/bin/env node
// Benchmarks the wasm kernels of packages/core/src/backend/wasm-kernels.ts (run `npx tsc -b` first).
//
//   node packages/core/scripts/bench-wasm-grads.mjs [--batch 128] [--steps 5] [--cpu]
//
// 1. Kernel level, old (tfjs-backend-wasm 4.22's own kernel) vs new (ours), at the Conv-4 shapes:
//    Conv2DBackpropInput, MaxPoolGrad, Tile / Sum (the batchNorm-gradient hot spots), next to the
//    forward Conv2D / MaxPool. Conv2DBackpropFilter has no wasm kernel to compare with (new only).
// 2. A Conv-4 train step (4 x [conv3x3 64 'same', batchnorm, relu, maxpool 2x2], 28x28x1 input,
//    linear head + softmax cross-entropy, SGD update) on wasm: with all our kernels, and with the
//    gradient kernels only (wasm's own Tile/Sum/Mean). Without our kernels the step cannot run on wasm
//    at all (no Conv2DBackpropFilter). --cpu also times the step on the cpu backend (very slow: minutes
//    per step at batch 128; use e.g. --batch 16).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmGradientKernels, unregisterWasmGradientKernels } from '../dist/backend/wasm-kernels.js';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const BATCH = opt('batch', 128);
const STEPS = opt('steps', 5);
const WITH_CPU = args.includes('--cpu');

tf.env().set('PROD', true);
await tf.setBackend('wasm');
await tf.ready();

/** Median ms of `reps` runs of f (after one warm-up); f returns a tensor that is read and disposed. */
function timeIt(f, reps = 5) {
  const once = () => {
    const t0 = performance.now();
    const r = f();
    r.dataSync();
    const ms = performance.now() - t0;
    tf.dispose(r);
    return ms;
  };
  once();
  const times = [];
  for (let i = 0; i < reps; i++) times.push(once());
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (ms) => (ms == null ? '   n/a' : ms.toFixed(1).padStart(7));

function kernelBench() {
  const cases = [];
  // Conv-4 block shapes: layer 1 (1 -> 64 channels at 28x28), layer 2 (64 -> 64 at 14x14), layer 3 (7x7).
  for (const [h, cin] of [
    [28, 1],
    [14, 64],
    [7, 64],
  ]) {
    const x = tf.randomNormal([BATCH, h, h, cin]);
    const w = tf.randomNormal([3, 3, cin, 64]);
    const dy = tf.randomNormal([BATCH, h, h, 64]);
    const fwd = () => tf.conv2d(x, w, 1, 'same');
    const bInput = () => tf.conv2dTranspose(dy, w, [BATCH, h, h, cin], 1, 'same');
    const bFilter = () =>
      tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, cin, 64] },
        );
    const row = { name: `conv ${h}x${h} ${cin}->64`, fwd: timeIt(fwd) };
    unregisterWasmGradientKernels();
    row.inputOld = timeIt(bInput, 1);
    registerWasmGradientKernels();
    row.inputNew = timeIt(bInput);
    row.filterNew = timeIt(bFilter);
    cases.push(row);
    tf.dispose([x, w, dy]);
  }
  console.log(`\nKernel timings (ms, batch ${BATCH}), old = tfjs-backend-wasm 4.22 built-in kernel`);
  console.log('shape                     Conv2D fwd | BackpropInput old   new | BackpropFilter new');
  for (const r of cases) {
    console.log(`${r.name.padEnd(24)} ${fmt(r.fwd)}    | ${fmt(r.inputOld)}  ${fmt(r.inputNew)} | ${fmt(r.filterNew)}`);
  }

  const pools = [];
  for (const [h, c] of [
    [28, 64],
    [14, 64],
  ]) {
    const x = tf.randomNormal([BATCH, h, h, c]);
    const y = tf.maxPool(x, 2, 2, 'valid');
    const dy = tf.randomNormal(y.shape);
    const grad = () =>
      tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' });
    const row = { name: `maxpool 2x2 ${h}x${h}x${c}`, fwd: timeIt(() => tf.maxPool(x, 2, 2, 'valid')) };
    unregisterWasmGradientKernels();
    row.old = timeIt(grad);
    registerWasmGradientKernels();
    row.new = timeIt(grad);
    pools.push(row);
    tf.dispose([x, y, dy]);
  }
  console.log('shape                     MaxPool fwd | MaxPoolGrad old   new');
  for (const r of pools) console.log(`${r.name.padEnd(24)} ${fmt(r.fwd)}     | ${fmt(r.old)}  ${fmt(r.new)}`);

  // batchNorm gradient building blocks at the first block's size.
  const v = tf.randomNormal([1, 1, 1, 64]);
  const big = tf.randomNormal([BATCH, 28, 28, 64]);
  const ops = [
    ['tile [1,1,1,64] -> 28x28', () => tf.tile(v, [BATCH, 28, 28, 1])],
    ['sum over [0,1,2] 28x28x64', () => tf.sum(big, [0, 1, 2])],
    ['mean over [0,1,2] 28x28x64', () => tf.mean(big, [0, 1, 2])],
  ];
  console.log('op                               old     new');
  for (const [name, f] of ops) {
    unregisterWasmGradientKernels();
    const old = timeIt(f, 3);
    registerWasmGradientKernels();
    console.log(`${name.padEnd(28)} ${fmt(old)} ${fmt(timeIt(f))}`);
  }
  tf.dispose([v, big]);
}

function makeConv4() {
  const vars = [];
  const v = (t) => {
    const variable = tf.variable(t);
    vars.push(variable);
    return variable;
  };
  const blocks = [];
  let cin = 1;
  for (let i = 0; i < 4; i++) {
    blocks.push({
      w: v(tf.randomNormal([3, 3, cin, 64], 0, Math.sqrt(2 / (9 * cin)))),
      gamma: v(tf.ones([64])),
      beta: v(tf.zeros([64])),
    });
    cin = 64;
  }
  const head = v(tf.randomNormal([64, 20], 0, 0.1));
  const forward = (x) => {
    let h = x;
    for (const b of blocks) {
      h = tf.conv2d(h, b.w, 1, 'same');
      const { mean, variance } = tf.moments(h, [0, 1, 2]);
      h = tf.batchNorm(h, mean, variance, b.beta, b.gamma, 1e-3);
      h = tf.relu(h);
      h = tf.maxPool(h, 2, 2, 'valid');
    }
    return tf.matMul(tf.reshape(h, [h.shape[0], -1]), head); // 28 -> 14 -> 7 -> 3 -> 1
  };
  return { vars, forward };
}

function stepBench(label) {
  const { vars, forward } = makeConv4();
  const opt = tf.train.sgd(0.01);
  const x = tf.randomUniform([BATCH, 28, 28, 1]);
  const labels = tf.oneHot(tf.randomUniform([BATCH], 0, 20, 'int32'), 20);
  const step = () => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, forward(x)), true);
    loss.dataSync();
    loss.dispose();
  };
  step(); // warm-up (creates XNNPACK operators, optimizer state)
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) step();
  const ms = (performance.now() - t0) / STEPS;
  const leaked = tf.memory().numTensors - before;
  console.log(
    `Conv-4 train step, ${label}: ${ms.toFixed(1)} ms/step, ${((BATCH * 1000) / ms).toFixed(0)} images/s ` +
      `(batch ${BATCH}, ${STEPS} steps, tensors leaked per step: ${leaked / STEPS})`,
  );
  tf.dispose([x, labels, ...vars]);
  opt.dispose();
}

registerWasmGradientKernels();
kernelBench();
console.log('');
stepBench('wasm, all kernels');
registerWasmGradientKernels({ tileAndReductions: false });
stepBench("wasm, gradient kernels only (wasm's Tile/Sum/Mean)");
registerWasmGradientKernels();
if (WITH_CPU) {
  await tf.setBackend('cpu');
  stepBench('cpu backend');
}
