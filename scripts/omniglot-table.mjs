#!/usr/bin/env node
// The README's Omniglot table: every row evaluated the same way with the built CLI (run `npx tsc -b`
// first): Lake et al.'s 400 official 20-way within-alphabet trials, and 1,000 random 20-way and 5-way
// 1-shot episodes of the 20 evaluation alphabets (seed 42). Prints a Markdown table and writes the raw
// reports to runs/omniglot-table.json.
//
//   FEWSHOT_DATA=../shared/data node scripts/omniglot-table.mjs [row-id ...]
//
// Models are read from runs/omniglot-<id> (trained by `fewshot train config/omniglot-<id>.yaml --out
// runs/omniglot-<id>`), the prototype model from models/omniglot. Training time is the sum of the epoch
// times in the model's history.json, with the training images seen (augmented copies included; a pair
// counts two images; approximate: the rate times the epoch time, validation included).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'packages/core/dist/cli/bin.js');
const DATA = path.resolve(ROOT, process.env.FEWSHOT_DATA ?? '../shared/data');
const RUNS = path.join(DATA, 'omniglot/one-shot-classification');

const ROWS = [
  {
    id: 'pixel',
    name: 'pixel nearest neighbour (28x28)',
    config: 'config/omniglot.yaml',
    baseline: 'pixel',
    set: ['eval.tta.views=1'],
  },
  {
    id: 'naive',
    name: 'naive baseline (dense layers on the concatenated pair)',
    config: 'config/omniglot-naive.yaml',
    model: 'runs/omniglot-naive',
  },
  {
    id: 'contrastive',
    name: 'Siamese Conv-4, contrastive loss on pairs',
    config: 'config/omniglot-contrastive.yaml',
    model: 'runs/omniglot-contrastive',
  },
  {
    id: 'l1-sigmoid',
    name: 'Siamese Conv-4, Koch L1 + sigmoid on pairs',
    config: 'config/omniglot-l1-sigmoid.yaml',
    model: 'runs/omniglot-l1-sigmoid',
  },
  {
    id: 'triplet',
    name: 'Siamese Conv-4, triplet loss',
    config: 'config/omniglot-triplet.yaml',
    model: 'runs/omniglot-triplet',
  },
  {
    id: 'prototypes-plain',
    name: 'Siamese Conv-4, prototype episodes (`models/omniglot`), one view',
    config: 'config/omniglot.yaml',
    model: 'models/omniglot',
    set: ['eval.tta.views=1'],
  },
  {
    id: 'prototypes',
    name: 'Siamese Conv-4, prototype episodes (`models/omniglot`)',
    config: 'config/omniglot.yaml',
    model: 'models/omniglot',
  },
];

const wanted = process.argv.slice(2);
const rows = wanted.length ? ROWS.filter((r) => wanted.includes(r.id)) : ROWS;

function evaluate(row, extra) {
  const who = row.baseline ? ['--baseline', row.baseline] : ['--model', row.model];
  const sets = (row.set ?? []).flatMap((kv) => ['--set', kv]);
  const args = [CLI, 'eval', row.config, ...who, '--json', '--quiet', ...sets, ...extra];
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, FEWSHOT_DATA: DATA },
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`fewshot ${args.slice(1).join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function trainingTime(row) {
  if (row.baseline) return 'none';
  const file = path.join(ROOT, row.model, 'history.json');
  if (!existsSync(file)) return '?';
  const { history } = JSON.parse(readFileSync(file, 'utf8'));
  const s = history.reduce((a, e) => a + e.seconds, 0);
  const images = history.reduce((a, e) => a + e.imagesPerSecond * e.seconds, 0);
  return `${Math.round(s / 60)} min, ~${(images / 1e6).toFixed(2)}M images`;
}

const pct = (r) => `${(r.accuracy * 100).toFixed(1)}% ± ${(r.ci95 * 100).toFixed(1)}`;
const results = [];
for (const row of rows) {
  if (row.model && !existsSync(path.join(ROOT, row.model, 'fewshot.json'))) {
    console.error(
      `skipping ${row.id}: no model in ${row.model} (train it with: npx fewshot train ${row.config} --out ${row.model})`,
    );
    continue;
  }
  const runs = evaluate(row, ['--runs', RUNS]);
  const w20 = evaluate(row, ['--set', 'eval.ways=20']);
  const w5 = evaluate(row, ['--set', 'eval.ways=5']);
  results.push({ row, runs, w20, w5, training: trainingTime(row) });
  console.error(`${row.id}: runs ${pct(runs)}, 20-way ${pct(w20)}, 5-way ${pct(w5)} (tta views ${runs.ttaViews})`);
}
mkdirSync(path.join(ROOT, 'runs'), { recursive: true });
writeFileSync(
  path.join(ROOT, 'runs/omniglot-table.json'),
  JSON.stringify(
    results.map(({ row, ...r }) => ({ id: row.id, ...r })),
    null,
    2,
  ) + '\n',
);
console.log('| model | config | training | official runs (20-way) | 20-way episodes | 5-way episodes |');
console.log('|---|---|---|---|---|---|');
for (const { row, runs, w20, w5, training } of results) {
  const opts = [row.baseline ? `--baseline ${row.baseline}` : '', ...(row.set ?? []).map((kv) => `--set ${kv}`)]
    .filter(Boolean)
    .join(' ');
  const cfg = `\`${row.config}\`${opts ? ` \`${opts}\`` : ''}${runs.ttaViews > 1 ? ` (${runs.ttaViews} test views)` : ''}`;
  console.log(`| ${row.name} | ${cfg} | ${training} | ${pct(runs)} | ${pct(w20)} | ${pct(w5)} |`);
}
