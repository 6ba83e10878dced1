import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgressSink } from '../progress.js';
import { Rng } from '../rng.js';

// Test helpers of the api specs (not exported, not in the published package): the repository's toy plugin (4x4 vectors stored as
// JSON, a small dense encoder, an L1 baseline) and well-separated toy classes written by the test.

export const TOY_PLUGIN = fileURLToPath(
  new URL('../../../../test/fixtures/toy-plugin/toy-plugin.mjs', import.meta.url),
);

/** `classes` folders of `perClass` noisy copies of a random prototype each (16 numbers per file). */
export function writeToyData(root: string, classes: number, perClass: number, seed: number, prefix: string): void {
  const rng = new Rng(seed);
  for (let c = 0; c < classes; c++) {
    const proto = Array.from({ length: 16 }, () => rng.uniform(-1, 1));
    const dir = path.join(root, `${prefix}${String(c).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perClass; i++)
      writeFileSync(
        path.join(dir, `s${i}.json`),
        JSON.stringify(proto.map((v) => +(v + 0.15 * rng.normal()).toFixed(4))),
      );
  }
}

/** Toy train / val / test splits under `dir/data` and an experiment YAML using them; returns the YAML's path. */
export function writeToyExperiment(dir: string, name = 'toy'): string {
  const data = path.join(dir, 'data');
  writeToyData(path.join(data, 'train'), 10, 5, 1, 'tr');
  writeToyData(path.join(data, 'val'), 5, 5, 2, 'va');
  writeToyData(path.join(data, 'test'), 8, 5, 3, 'te');
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seed: 7
backend: cpu
plugins: ['${TOY_PLUGIN}']
modality: toy
data:
  root: ${data}
  cache: false
  train: { path: train }
  validation: { path: val }
  test: { path: test }
model:
  head: contrastive
train:
  epochs: 2
  stepsPerEpoch: 10
  batchSize: 16
  learningRate: 0.01
  validation: { ways: 5, episodes: 10 }
eval: { ways: 5, shots: 1, episodes: 30 }
`,
  );
  return file;
}

/** A progress sink that keeps the lines logged. */
export function recordingProgress(): ProgressSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (line) => void lines.push(line), start: () => ({ tick() {}, done() {} }) };
}
