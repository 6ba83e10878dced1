#!/usr/bin/env node
// Training speed against the peer a user would pick instead: PyTorch on the CPU (run `npx tsc -b` first).
//
//   npm run bench:peer [-- --alternations 3] [-- --steps 20] [-- --json] [-- --cli path/to/bin.js]
//
// Alternates, in one run, `fewshot perf --backends wasm --workers 1,2 --steps 20 --rounds 1` (Conv-4 at
// 28x28, 64 pairs per step, contrastive loss, Adam) and the same network and step in PyTorch
// (/work/shared/tools/torch_conv4_bench.py, or $FEWSHOT_TORCH_BENCH, run with /usr/bin/python3 and
// Debian's python3-torch, 1 and 2 threads), `--alternations` times (default 3), so that machine noise
// hits both alike. Prints every round, the medians of train and embed images/s of both, and the ratios
// fewshot / PyTorch for 1 worker vs 1 thread and 2 workers vs 2 threads (the target: train >= 0.6x and
// embed >= 1.2x on 2 cores), with the machine's load average before and after. --cli runs another build
// of fewshot (e.g. an older commit's packages/core/dist/cli/bin.js) in place of this one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : dflt;
};
const CLI = path.resolve(opt('cli', path.join(ROOT, 'packages/core/dist/cli/bin.js')));
const ALTERNATIONS = Number(opt('alternations', '3'));
const STEPS = Number(opt('steps', '20'));
const JSON_OUT = argv.includes('--json');
const PYTHON = process.env.FEWSHOT_PYTHON ?? '/usr/bin/python3';
// the peer script: $FEWSHOT_TORCH_BENCH, else shared/tools beside the repo (a clone or a worktree)
const TORCH_CANDIDATES = process.env.FEWSHOT_TORCH_BENCH
  ? [path.resolve(process.env.FEWSHOT_TORCH_BENCH)]
  : ['../shared', '../../shared'].map((d) => path.resolve(ROOT, d, 'tools/torch_conv4_bench.py'));
const torchBench = TORCH_CANDIDATES.find((p) => existsSync(p));
const THREADS = [1, 2];

const log = (line) => process.stderr.write(`[bench:peer] ${line}\n`);
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

function run(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: path.resolve(path.dirname(CLI), '../../../..'),
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) {
    const tail = (r.stderr || r.error?.message || '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${path.basename(cmd)} ${args.join(' ')}: exit ${r.status}: ${tail}`);
  }
  return r.stdout;
}

if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -b\` first`);
if (!torchBench)
  throw new Error(`the PyTorch peer script is missing: ${TORCH_CANDIDATES.join(', ')} (set FEWSHOT_TORCH_BENCH)`);

const fewshotArgs = [
  CLI,
  'perf',
  '--backends',
  'wasm',
  '--workers',
  THREADS.join(','),
  '--steps',
  String(STEPS),
  '--rounds',
  '1',
  '--json',
  '--quiet',
];
const torchArgs = [torchBench, '--threads', THREADS.join(','), '--steps', String(STEPS), '--rounds', '1'];
const samples = { fewshot: {}, pytorch: {} };
const push = (peer, threads, kind, v) => (samples[peer][threads] ??= { train: [], embed: [] })[kind].push(v);
const loadBefore = load();
let torchVersion = '?';
log(`load average ${loadBefore}; ${ALTERNATIONS} alternations of ${STEPS} steps`);
for (let a = 0; a < ALTERNATIONS; a++) {
  const f = JSON.parse(run(process.execPath, fewshotArgs));
  for (const b of f.backends) {
    if (!b.available) throw new Error(`fewshot perf: wasm not available: ${b.error}`);
    push('fewshot', b.workers, 'train', b.trainImagesPerSecond);
    push('fewshot', b.workers, 'embed', b.embedImagesPerSecond);
  }
  const t = JSON.parse(run(PYTHON, torchArgs).trim().split('\n').pop());
  torchVersion = t.version;
  for (const [th, v] of Object.entries(t.threads)) {
    push('pytorch', Number(th), 'train', v.train);
    push('pytorch', Number(th), 'embed', v.embed);
  }
  const line = THREADS.map(
    (th) =>
      `x${th}: fewshot ${f.backends.find((b) => b.workers === th).trainImagesPerSecond.toFixed(1)} / pytorch ${t.threads[th].train.toFixed(1)}`,
  );
  log(`round ${a + 1}/${ALTERNATIONS} train img/s ${line.join(', ')} (load ${load()})`);
}
const loadAfter = load();

const rows = THREADS.map((th) => {
  const f = samples.fewshot[th];
  const p = samples.pytorch[th];
  const r = {
    threads: th,
    fewshotTrain: median(f.train),
    pytorchTrain: median(p.train),
    fewshotEmbed: median(f.embed),
    pytorchEmbed: median(p.embed),
  };
  return { ...r, trainRatio: r.fewshotTrain / r.pytorchTrain, embedRatio: r.fewshotEmbed / r.pytorchEmbed };
});
const report = {
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} logical cores, node ${process.version}, torch ${torchVersion}`,
  loadAverage: { before: loadBefore, after: loadAfter },
  alternations: ALTERNATIONS,
  steps: STEPS,
  rows,
  samples,
};
if (JSON_OUT) {
  process.stdout.write(JSON.stringify(report, null, 2) + '\n');
} else {
  const out = [
    `Conv-4 28x28, 64 pairs/step, Adam: fewshot (wasm) vs PyTorch ${torchVersion} (CPU), medians of ${ALTERNATIONS} alternations`,
    `${report.machine}; load average before ${loadBefore}, after ${loadAfter}`,
    'workers/threads  fewshot train  pytorch train  train ratio  fewshot embed  pytorch embed  embed ratio',
    ...rows.map(
      (r) =>
        `${String(r.threads).padStart(15)}  ${r.fewshotTrain.toFixed(1).padStart(13)}  ${r.pytorchTrain.toFixed(1).padStart(13)}  ${r.trainRatio.toFixed(3).padStart(10)}x  ` +
        `${r.fewshotEmbed.toFixed(0).padStart(13)}  ${r.pytorchEmbed.toFixed(0).padStart(13)}  ${r.embedRatio.toFixed(3).padStart(10)}x`,
    ),
  ];
  process.stdout.write(out.join('\n') + '\n');
}
