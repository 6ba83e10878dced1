#!/usr/bin/env node
// Benchmarks the decoded-data cache (packages/core/src/data/sample-cache.ts; run `npx tsc -b` first).
//
//   node packages/core/scripts/bench-cache.mjs [--sizes 28,105] [--data DIR] [--float32] [--keep]
//
// For each size, with a fresh temporary cache folder: decodes the full Omniglot (images_background +
// images_evaluation, 32,460 images; one cache entry per split, as an experiment's splits are) with the
// real image plugin, then loads it again from the cache. Each run is a child process of its own, so its
// peak RSS (process.resourceUsage().maxRSS) is its own. After decoding or loading, every row is read once
// through `store.batch` in batches of 256 (tensor built and disposed), as an evaluation's embedding
// pass does. --float32 adds an uncached run with float32 storage for comparison (the old memory use).
// --data defaults to $FEWSHOT_TEST_DATA/omniglot or /work/shared/data/omniglot.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const DATA = path.resolve(opt('data', path.join(process.env.FEWSHOT_TEST_DATA ?? '/work/shared/data', 'omniglot')));
const SPLITS = ['images_background', 'images_evaluation'];

if (opt('phase')) await child();
else parent();

function parent() {
  const sizes = opt('sizes', '28,105').split(',').map(Number);
  const self = fileURLToPath(import.meta.url);
  const run = (extra) => {
    const r = spawnSync(process.execPath, [self, '--data', DATA, ...extra], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`child failed (${r.status}): ${extra.join(' ')}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  const rows = [];
  for (const size of sizes) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-cache-'));
    try {
      const cold = run(['--phase', 'cached', '--size', String(size), '--cache', dir]);
      const warm = run(['--phase', 'cached', '--size', String(size), '--cache', dir]);
      const files = readdirSync(dir).map((f) => ({ f, bytes: statSync(path.join(dir, f)).size }));
      const bin = files.filter((x) => x.f.endsWith('.bin')).reduce((s, x) => s + x.bytes, 0);
      const json = files.filter((x) => x.f.endsWith('.json')).reduce((s, x) => s + x.bytes, 0);
      rows.push({ size, run: 'first (decode + save)', ...cold, binMB: bin / 1e6, jsonMB: json / 1e6 });
      rows.push({ size, run: 'second (load)', ...warm, binMB: bin / 1e6, jsonMB: json / 1e6 });
      if (args.includes('--float32'))
        rows.push({ size, run: 'float32, no cache', ...run(['--phase', 'float32', '--size', String(size)]) });
    } finally {
      if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log(`\nOmniglot ${SPLITS.join(' + ')} from ${DATA}, node ${process.version}, ${os.cpus().length} CPUs\n`);
  console.log(
    'size    run                    samples  hits  dtype    list s  stat s  data s  sweep s  .bin MB  .json MB  peak RSS MB',
  );
  for (const r of rows) {
    console.log(
      `${String(r.size).padEnd(8)}${r.run.padEnd(23)}${String(r.samples).padStart(7)}  ${String(r.hits).padStart(4)}  ${r.dtype.padEnd(8)}${r.listSeconds.toFixed(2).padStart(6)}  ` +
        `${r.statSeconds.toFixed(2).padStart(6)}  ${r.dataSeconds.toFixed(2).padStart(6)}  ${r.sweepSeconds.toFixed(2).padStart(7)}  ` +
        `${r.binMB === undefined ? '      -' : r.binMB.toFixed(1).padStart(7)}  ${r.jsonMB === undefined ? '       -' : r.jsonMB.toFixed(2).padStart(8)}  ${r.maxRssMB.toFixed(0).padStart(11)}`,
    );
  }
  console.log(
    '\nlist s: modality.load of both splits (readdir). stat s: the cache key (stat of every file). data s: decode + save on a miss, load on a hit (both splits). sweep s: every row once through batch(256).',
  );
}

async function child() {
  const { createContainer, tf } = await import('@fewshot/core');
  const { decodeCached } = await import('../dist/data/sample-cache.js');
  const size = Number(opt('size', '28'));
  const phase = opt('phase');
  const { registry } = await createContainer();
  const modality = registry.modality('image');
  const pre = modality.preprocessSchema.parse({ size });
  const progress = {
    log: (line) => process.stderr.write(`  [${size}] ${line}\n`),
    start: () => ({ tick() {}, done() {} }),
  };
  let samples = 0;
  let hits = 0;
  let listSeconds = 0;
  let statSeconds = 0;
  let dataSeconds = 0;
  let dtype = '';
  const stores = [];
  for (const split of SPLITS) {
    const l0 = performance.now();
    const set = await modality.load({ name: split, path: path.join(DATA, split), layout: 'omniglot', options: {} });
    listSeconds += (performance.now() - l0) / 1000;
    const options =
      phase === 'float32' ? { cache: false, storage: 'float32', progress } : { cacheDir: opt('cache'), progress };
    const d = await decodeCached(set, modality, pre, options);
    samples += d.store.count;
    hits += d.cache.hit ? 1 : 0;
    statSeconds += d.cache.statSeconds;
    dataSeconds += d.cache.seconds - d.cache.statSeconds;
    dtype = d.store.dtype;
    stores.push(d.store);
  }
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  for (const store of stores) {
    for (let i = 0; i < store.count; i += 256) {
      const idx = [];
      for (let k = i; k < Math.min(store.count, i + 256); k++) idx.push(k);
      const x = store.batch(idx);
      x.dispose();
    }
  }
  const sweepSeconds = (performance.now() - t0) / 1000;
  if (tf.memory().numTensors !== before) throw new Error('tensor leak in batch');
  const maxRssMB = (process.resourceUsage().maxRSS * 1024) / 1e6;
  process.stdout.write(
    JSON.stringify({ samples, hits, dtype, listSeconds, statSeconds, dataSeconds, sweepSeconds, maxRssMB }) + '\n',
  );
}
