// Benchmark: list the Omniglot background set, then decode every image at 28x28 (one thread).
// Run after `npx tsc -b`:  node packages/modality-image/bench/omniglot-decode.mjs [root] [size]
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { ImageModality } from '../dist/index.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const root = process.argv[2] ?? resolve(repoRoot, '../shared/data/omniglot/images_background');
const size = Number(process.argv[3] ?? 28);
const modality = new ImageModality();

let t = performance.now();
const set = await modality.load({ name: 'bench', path: root, layout: 'omniglot', options: {} });
const listMs = performance.now() - t;
console.log(`listed ${set.size} images in ${set.classes.length} classes: ${listMs.toFixed(0)} ms`);

const pre = modality.preprocessSchema.parse({ size });
t = performance.now();
let ink = 0;
for (const s of set.samples) {
  const x = await modality.decode(s.path, pre);
  for (let i = 0; i < x.length; i++) ink += x[i];
}
const decodeMs = performance.now() - t;
console.log(
  `decoded ${set.size} at ${size}x${size}: ${(decodeMs / 1000).toFixed(2)} s ` +
    `(${((decodeMs * 1000) / set.size).toFixed(0)} us/image), mean ink ${(ink / (set.size * size * size)).toFixed(4)}`,
);
