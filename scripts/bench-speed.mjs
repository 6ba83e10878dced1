#!/usr/bin/env node
// Speed and memory benchmark of the issue targets on this machine (run `npx tsc -b` first; it uses the
// built CLI packages/core/dist/cli/bin.js and packages/core/scripts/bench-cache.mjs, each in a child process).
//
//   npm run bench:speed [-- --quick] [-- --no-write]
//
// 1. `fewshot perf` of Conv-4 at 28x28 on wasm, cpu and tensorflow (3 rounds alternating the backends,
//    20 timed steps each after 3 warm-up steps; medians; the cpu backend gets one round with a batch of 4 pairs): train and
//    embed img/s and GFLOP/s per backend, and wasm/cpu train speed. Targets: wasm train >= 250 img/s
//    and >= 300x cpu; embed >= 1,500 img/s.
// 2. `fewshot perf` of the Koch network at 105x105 on wasm (batch 8, 2 steps): train img/s (no target).
// 3. Wall time of `fewshot eval` of models/omniglot on the 400 official trials, whole process (model load
//    included) from a warm decoded-data cache: one warm-up run, then the median of 3. Target <= 10 s.
// 4. The decoded-data cache (bench-cache.mjs --sizes 28,105, full Omniglot, 32,460 images): first-run
//    decode + save seconds, warm load seconds, peak RSS. Targets <= 60 s and <= 3 s.
// 5. Peak RSS of a pixel-baseline evaluation at 105x105 on the evaluation alphabets (100 episodes,
//    fresh cache, so decoding included), read with process.resourceUsage().maxRSS by a preload. Target <= 1.5 GB.
//
// The results are printed and written to docs/benchmarks.md between <!-- bench:speed:start --> and
// <!-- bench:speed:end --> (the rest of the file is kept). Data: $FEWSHOT_DATA, default ../shared/data.
// --quick: tiny settings (a one-alphabet subset, 1 round, tiny batches) to test the script; it does not
// write the docs unless --write is given too. --no-write: print only.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { writeBenchBlock } from './benchmarks-doc.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const WRITE = !argv.includes('--no-write') && (!QUICK || argv.includes('--write'));
const DATA = path.resolve(ROOT, process.env.FEWSHOT_DATA ?? '../shared/data');
const CLI = path.join(ROOT, 'packages/core/dist/cli/bin.js');
const MODEL = path.join(ROOT, 'models/omniglot');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-speed-'));
const PRELOAD = path.join(TMP, 'maxrss.mjs');
writeFileSync(
  PRELOAD,
  "process.on('exit', () => process.stderr.write(`\\nBENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\\n`));\n",
);

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fix = (x, d = 1) =>
  x === undefined || Number.isNaN(x)
    ? '-'
    : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const log = (line) => process.stderr.write(`[bench:speed] ${line}\n`);

/** Run node on `args` in the repo root; returns wall seconds, stdout, the parsed JSON (if any) and peak RSS in MB. */
function node(args, { cache, json = true, preload = true } = {}) {
  const env = { ...process.env, FEWSHOT_DATA: DATA, ...(cache ? { FEWSHOT_CACHE: cache } : {}) };
  const full = [...(preload ? ['--import', pathToFileURL(PRELOAD).href] : []), ...args];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, full, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    const tail = (r.stderr || r.error?.message || '')
      .trim()
      .split('\n')
      .filter((l) => !l.startsWith('BENCH_MAXRSS'))
      .slice(-3)
      .join(' | ');
    throw new Error(`exit ${r.status}: ${tail}`);
  }
  const rss = /BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  const out = r.stdout;
  return {
    seconds,
    out,
    json: json ? JSON.parse(out.slice(out.indexOf('{'))) : undefined,
    maxRssMB: rss ? (Number(rss[1]) * 1024) / 1e6 : NaN,
  };
}

/** Run one section; a failure becomes an error line instead of stopping the benchmark. */
function section(name, fn) {
  log(`${name} ...`);
  try {
    return fn();
  } catch (err) {
    log(`${name} failed: ${err.message}`);
    return { error: err.message };
  }
}

// 1. Conv-4 at 28x28 on every backend.
// wasm in-process (1) and with 2 worker threads (train.workers: 2), alternating in the same run
const perfArgs = [
  ...(QUICK
    ? ['--rounds', '1', '--steps', '1', '--batch', '4', '--cpu-batch', '1']
    : ['--rounds', '3', '--steps', '20']),
  '--workers',
  '1,2',
];
const conv4 = section(
  'perf conv4 28x28 (wasm x1, wasm x2, cpu, tensorflow)',
  () =>
    node([
      CLI,
      'perf',
      '--encoder',
      'conv4',
      '--input',
      '28',
      '--backends',
      'wasm,cpu,tensorflow',
      '--json',
      '--quiet',
      ...perfArgs,
    ]).json,
);
const by = (name, workers = 1) => conv4.backends?.find((b) => b.backend === name && (b.workers ?? 1) === workers);
const [wasm1, wasm, cpu] = [by('wasm', 1), by('wasm', 2), by('cpu')];
const ratio = wasm?.available && cpu?.available ? wasm.trainImagesPerSecond / cpu.trainImagesPerSecond : undefined;

// 2. Koch network at 105x105 on wasm.
const koch = section(
  'perf koch 105x105 (wasm)',
  () =>
    node([
      CLI,
      'perf',
      '--encoder',
      'koch',
      '--input',
      '105',
      '--backends',
      'wasm',
      '--json',
      '--quiet',
      ...(QUICK ? ['--batch', '2', '--steps', '1'] : ['--batch', '8', '--steps', '2']),
      '--rounds',
      '1',
    ]).json.backends[0],
);

// 3. Evaluation of the shipped model on the 400 official trials, warm cache, whole-process wall time.
const RUNS = path.join(DATA, 'omniglot/one-shot-classification');
const evalRuns = existsSync(MODEL)
  ? section('eval models/omniglot, 400 official trials', () => {
      const cache = path.join(TMP, 'cache-eval');
      const args = [CLI, 'eval', '--model', MODEL, '--runs', RUNS, '--json', '--quiet', '--backend', 'wasm'];
      node(args, { cache }); // warm-up: fills the cache
      const runs = Array.from({ length: QUICK ? 1 : 3 }, () => node(args, { cache }));
      return {
        seconds: median(runs.map((r) => r.seconds)),
        all: runs.map((r) => r.seconds),
        accuracy: runs[0].json.accuracy,
        ci95: runs[0].json.ci95,
        maxRssMB: median(runs.map((r) => r.maxRssMB)),
      };
    })
  : { missing: true };
if (evalRuns.missing) log('models/omniglot does not exist yet: skipping the evaluation wall-time row');

// 4. The decoded-data cache, via bench-cache.mjs (it prints a table only; parsed below).
function omniglotData() {
  if (!QUICK) return path.join(DATA, 'omniglot');
  const sub = path.join(TMP, 'omniglot-subset'); // one alphabet per split, symlinked
  for (const split of ['images_background', 'images_evaluation']) {
    const first = readdirSync(path.join(DATA, 'omniglot', split)).sort()[0];
    mkdirSync(path.join(sub, split), { recursive: true });
    symlinkSync(path.join(DATA, 'omniglot', split, first), path.join(sub, split, first));
  }
  return sub;
}
const cache = section('bench-cache.mjs --sizes 28,105', () => {
  const { out } = node(['packages/core/scripts/bench-cache.mjs', '--sizes', '28,105', '--data', omniglotData()], {
    json: false,
    preload: false,
  });
  const rows = {};
  for (const line of out.split('\n')) {
    const c = line.trim().split(/\s{2,}/);
    if (!/^\d+$/.test(c[0] ?? '') || c.length < 12) continue;
    const row = {
      samples: Number(c[2]),
      listSeconds: Number(c[5]),
      statSeconds: Number(c[6]),
      dataSeconds: Number(c[7]),
      maxRssMB: Number(c[11]),
    };
    (rows[c[0]] ??= {})[c[1].startsWith('first') ? 'cold' : 'warm'] = row;
  }
  if (!rows['28']?.cold || !rows['105']?.warm) throw new Error(`could not parse the bench-cache table:\n${out}`);
  return rows;
});

// 5. Peak RSS of a pixel-baseline evaluation at 105x105 (fresh cache: decoding included).
const rss = section('eval --baseline pixel at 105x105 (peak RSS)', () => {
  const extra = QUICK
    ? ['--set', 'eval.episodes=5', '--set', 'data.test.include=[Angelic]']
    : ['--set', 'eval.episodes=100'];
  const r = node(
    [
      CLI,
      'eval',
      'config/omniglot.yaml',
      '--baseline',
      'pixel',
      '--set',
      'data.preprocess.size=105',
      ...extra,
      '--json',
      '--quiet',
      '--backend',
      'wasm',
    ],
    { cache: path.join(TMP, 'cache-rss') },
  );
  return { maxRssMB: r.maxRssMB, seconds: r.seconds, accuracy: r.json.accuracy, episodes: r.json.episodes };
});

// Report.
const cpus = os.cpus();
let osName = `${os.type()} ${os.release()}`;
try {
  osName = `${/PRETTY_NAME="?([^"\n]+)/.exec(readFileSync('/etc/os-release', 'utf8'))[1]} (${osName})`;
} catch {
  // no /etc/os-release: the kernel's name alone
}
const when = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const ok = (pass) => (pass === undefined ? '-' : pass ? 'yes' : '**no**');
const err = (s) => `failed: ${s.error.split('\n')[0].slice(0, 160)}`;
const L = [
  '## Speed and memory (`npm run bench:speed`)',
  '',
  `Measured ${when}${QUICK ? ' with **--quick (tiny settings, not representative)**' : ''} on ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} cores, ` +
    `${fix(os.totalmem() / 2 ** 30, 1)} GiB RAM, node ${process.version}, ${osName}. ` +
    `Figures are medians where repeated: perf alternates the backends over ${QUICK ? 1 : 3} round(s) of ${QUICK ? 1 : 20} timed step(s) after 3 warm-up steps ` +
    `(${QUICK ? 4 : 64} pairs per step; the cpu backend: 1 round of 1 step with ${QUICK ? 1 : 4} pair(s)), the evaluation wall time ` +
    `is the median of ${QUICK ? 1 : 3} run(s) after a warm-up run. MB = 10^6 bytes.`,
  '',
  `### Conv-4 at 28x28 (\`fewshot perf --encoder conv4 --input 28 --backends wasm,cpu,tensorflow ${perfArgs.join(' ')}\`)`,
  '',
];
if (conv4.error) L.push(err(conv4));
else {
  L.push(
    `${fix(conv4.forwardMflopsPerImage, 1)} MFLOP forward per image.`,
    '',
    '| backend | workers | train img/s | embed img/s | train GFLOP/s | embed GFLOP/s | pairs/step |',
    '|---|---:|---:|---:|---:|---:|---:|',
  );
  for (const b of conv4.backends) {
    if (!b.available)
      L.push(
        `| ${b.backend} | | not installed / not available: ${b.error.replace(/\|/g, '\\|').slice(0, 120)} | | | | |`,
      );
    else
      L.push(
        `| ${b.backend} | ${b.workers ?? 1} | ${fix(b.trainImagesPerSecond)} | ${fix(b.embedImagesPerSecond, 0)} | ${fix(b.trainGflops, 2)} | ${fix(b.embedGflops, 2)} | ${b.batchSize} |`,
      );
  }
}
const row = (what, figure, target, pass) => L.push(`| ${what} | ${figure} | ${target} | ${ok(pass)} |`);
L.push('', '### Targets', '', '| measure | figure | target | met |', '|---|---|---|---|');
if (wasm?.available) {
  const one = wasm1?.available ? ` (in-process: ${fix(wasm1.trainImagesPerSecond)})` : '';
  row(
    'wasm train, Conv-4 28x28, 2 worker threads',
    `${fix(wasm.trainImagesPerSecond)} img/s${one}`,
    '>= 250 img/s',
    wasm.trainImagesPerSecond >= 250,
  );
  row(
    'wasm (2 workers) / cpu train speed',
    ratio === undefined ? 'cpu not available' : `${fix(ratio, 0)}x`,
    '>= 300x',
    ratio === undefined ? undefined : ratio >= 300,
  );
  row(
    'wasm embed, Conv-4 28x28, 2 worker threads',
    `${fix(wasm.embedImagesPerSecond, 0)} img/s${wasm1?.available ? ` (in-process: ${fix(wasm1.embedImagesPerSecond, 0)})` : ''}`,
    '>= 1,500 img/s',
    wasm.embedImagesPerSecond >= 1500,
  );
} else
  row(
    'wasm, Conv-4 28x28',
    conv4.error ? err(conv4) : `not available: ${wasm?.error}`,
    '>= 250 img/s train, >= 1,500 embed',
    false,
  );
row(
  'wasm train, Koch 105x105 (batch 8, 2 steps, 1 round)',
  koch.error ? err(koch) : `${fix(koch.trainImagesPerSecond)} img/s`,
  '(figure only)',
  undefined,
);
if (evalRuns.missing)
  row(
    'eval of models/omniglot, 400 official trials, warm cache',
    'skipped: models/omniglot does not exist yet',
    '<= 10 s',
    undefined,
  );
else if (evalRuns.error)
  row('eval of models/omniglot, 400 official trials, warm cache', err(evalRuns), '<= 10 s', false);
else
  row(
    'eval of models/omniglot, 400 official trials, warm cache, model load included (wall, median)',
    `${fix(evalRuns.seconds, 2)} s (runs: ${evalRuns.all.map((s) => fix(s, 2)).join(', ')}); accuracy ${fix(evalRuns.accuracy * 100, 2)}% ± ${fix(evalRuns.ci95 * 100, 2)}; peak RSS ${fix(evalRuns.maxRssMB, 0)} MB`,
    '<= 10 s',
    evalRuns.seconds <= 10,
  );
for (const size of ['28', '105']) {
  const c = cache.error ? undefined : cache[size];
  const n = c ? `${c.cold.samples.toLocaleString('en-US')} images` : '';
  if (!c) {
    row(`cache at ${size}x${size}`, cache.error ? err(cache) : 'missing', '<= 60 s / <= 3 s', false);
    continue;
  }
  row(
    `cache first run at ${size}x${size}: decode + save (${n})`,
    `${fix(c.cold.dataSeconds, 2)} s (+ list ${fix(c.cold.listSeconds, 2)} s, stat ${fix(c.cold.statSeconds, 2)} s); peak RSS ${fix(c.cold.maxRssMB, 0)} MB`,
    '<= 60 s',
    c.cold.dataSeconds <= 60,
  );
  row(
    `cache warm load at ${size}x${size} (${n})`,
    `${fix(c.warm.dataSeconds, 2)} s (+ list ${fix(c.warm.listSeconds, 2)} s, stat ${fix(c.warm.statSeconds, 2)} s); peak RSS ${fix(c.warm.maxRssMB, 0)} MB`,
    '<= 3 s',
    c.warm.dataSeconds <= 3,
  );
}
if (rss.error) row('peak RSS, pixel-baseline eval at 105x105', err(rss), '<= 1.5 GB', false);
else
  row(
    `peak RSS, pixel-baseline eval at 105x105, evaluation alphabets, ${rss.episodes} episodes, cold cache`,
    `${fix(rss.maxRssMB, 0)} MB (${fix(rss.seconds, 1)} s, accuracy ${fix(rss.accuracy * 100, 1)}%)`,
    '<= 1,500 MB',
    rss.maxRssMB <= 1500,
  );
L.push(
  '',
  'Cache figures from `node packages/core/scripts/bench-cache.mjs --sizes 28,105` (one run each; "list" is readdir, "stat" the cache key). ' +
    'Peak RSS is `process.resourceUsage().maxRSS` of the process.',
);
const text = L.join('\n');

console.log(text);
if (WRITE) {
  log(`wrote ${path.relative(ROOT, writeBenchBlock('speed', text))}`);
} else log('not writing docs/benchmarks.md (--no-write or --quick)');
rmSync(TMP, { recursive: true, force: true });
