import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '@fewshot/core';

/** Write a toy data set for the toy plugin: `classes` folders, each `perClass` noisy copies of a random prototype. */
export function writeToyData(root: string, classes: number, perClass: number, seed = 1, prefix = 'class'): void {
  const rng = new Rng(seed);
  for (let c = 0; c < classes; c++) {
    const proto = Array.from({ length: 16 }, () => rng.uniform(-1, 1));
    const dir = path.join(root, `${prefix}${String(c).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < perClass; i++) {
      writeFileSync(
        path.join(dir, `s${i}.json`),
        JSON.stringify(proto.map((v) => +(v + 0.15 * rng.normal()).toFixed(4))),
      );
    }
  }
}

export const TOY_PLUGIN = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../fixtures/toy-plugin/toy-plugin.mjs',
);

/**
 * The head of a toy experiment YAML: seed 7, the cpu backend, the toy plugin, data under `root`. Tests
 * append `  train: ...` (and the other data splits) and the rest of the experiment.
 */
export function toyExperimentHead(root: string): string {
  return `seed: 7
backend: cpu
plugins: ['${TOY_PLUGIN}']
modality: toy
data:
  root: ${root}
`;
}
