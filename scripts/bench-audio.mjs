#!/usr/bin/env node
// Feature-extraction speed of the audio plugin (run `npx tsc -b` first; it imports the built packages).
//
//   npm run bench:audio [-- --rounds N] [-- --quick] [-- --no-write]
//
// Times `AudioModality.decode` (read the WAV, resample, trim, crop/pad, MFCC or log-mel features) over every
// clip of a data set, in this process, one clip after another, with each shipped config's preprocessing:
//   1. Arabic Speech Commands, all 1,200 clips, config/arabic-commands.yaml (16 kHz MFCC: no resampling).
//      Target: >= 200x real time (1,200 s of audio in <= 6 s of wall time).
//   2. the same 1,200 clips with config/fsdd-to-arabic.yaml (resampled to 8 kHz with libsamplerate).
//   3. FSDD, all 3,000 clips, config/fsdd-speakers.yaml.
//   4. meyda's own per-frame extraction (data.preprocess.engine: meyda) on the first 100 Arabic clips, for scale.
// Every row is the median of --rounds rounds (default 5) after one warm-up round (JIT, wasm compilation);
// the warm-up round is reported too. The results are printed and written to docs/benchmarks.md between
// <!-- bench:audio:start --> and <!-- bench:audio:end --> (the rest of the file is kept).
// Data: $FEWSHOT_DATA, default ../shared/data. --quick: 1 round of 100 clips per row, no docs unless --write.
import { writeBenchBlock } from './benchmarks-doc.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const QUICK = argv.includes('--quick');
const WRITE = !argv.includes('--no-write') && (!QUICK || argv.includes('--write'));
const ROUNDS = QUICK ? 1 : Number(argv[argv.indexOf('--rounds') + 1] ?? 5) || 5;
const LIMIT = QUICK ? 100 : Infinity;
process.env.FEWSHOT_DATA ??= path.resolve(ROOT, '../shared/data');
const log = (line) => process.stderr.write(`[bench:audio] ${line}\n`);

const core = await import(pathToFileURL(path.join(ROOT, 'packages/core/dist/index.js')).href);
const audio = await import(pathToFileURL(path.join(ROOT, 'packages/modality-audio/dist/index.js')).href);
const modality = new audio.AudioModality();

const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fix = (x, d = 1) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

/** The test split (or given split) of a config, listed, with its validated preprocessing. */
async function dataOf(configFile, split, over = {}) {
  const loaded = await core.loadConfig(path.join(ROOT, configFile));
  const pre = modality.preprocessSchema.parse({ ...loaded.config.data.preprocess, ...over });
  const s = loaded.config.data[split];
  const spec = {
    name: `data.${split}`,
    path: core.resolveDataPath(loaded, s.path),
    layout: s.layout ?? loaded.config.data.layout,
    options: s.options,
  };
  const set = await modality.load(spec);
  return { pre, files: set.samples.map((x) => x.path) };
}

/** The Arabic clips: every keyword (train and test splits of the config together). */
async function arabic(configFile, over = {}) {
  const loaded = await core.loadConfig(path.join(ROOT, configFile));
  const pre = modality.preprocessSchema.parse({ ...loaded.config.data.preprocess, ...over });
  const root = core.resolveDataPath(loaded, '.');
  const dataset = root.endsWith('dataset') ? root : path.join(root, 'arabic-speech-commands/dataset');
  const set = await modality.load({ name: 'bench', path: dataset, layout: 'folder', options: {} });
  return { pre, files: set.samples.map((x) => x.path) };
}

async function measure(name, { pre, files }, rounds = ROUNDS) {
  files = files.slice(0, LIMIT);
  let audioSeconds = 0;
  for (const f of files) {
    const w = audio.readWav(f);
    audioSeconds += w.samples.length / w.sampleRate;
  }
  const once = async () => {
    const t0 = performance.now();
    for (const f of files) await modality.decode({ id: f, path: f, label: '' }, pre);
    return (performance.now() - t0) / 1000;
  };
  log(`${name}: ${files.length} clips, ${fix(audioSeconds)} s of audio; warm-up + ${rounds} round(s)`);
  const warm = await once();
  const all = [];
  for (let r = 0; r < rounds; r++) all.push(await once());
  const wall = median(all);
  const row = { name, clips: files.length, audioSeconds, warmup: warm, wall, all, realtime: audioSeconds / wall, pre };
  log(
    `  median ${fix(wall, 2)} s (${all.map((s) => fix(s, 2)).join(', ')}; warm-up ${fix(warm, 2)} s): ${fix(row.realtime, 0)}x real time`,
  );
  return row;
}

const rows = [];
rows.push(
  await measure('Arabic Speech Commands, `config/arabic-commands.yaml`', await arabic('config/arabic-commands.yaml')),
);
rows.push(
  await measure(
    'Arabic Speech Commands, `config/fsdd-to-arabic.yaml` (resampled to 8 kHz)',
    await arabic('config/fsdd-to-arabic.yaml'),
  ),
);
rows.push(
  await measure(
    'FSDD, `config/fsdd-speakers.yaml`',
    await dataOf('config/fsdd-speakers.yaml', 'train', {}).then(async (d) => {
      const t = await dataOf('config/fsdd-speakers.yaml', 'test');
      const v = await dataOf('config/fsdd-speakers.yaml', 'validation');
      return { pre: d.pre, files: [...d.files, ...v.files, ...t.files] };
    }),
  ),
);
const ref = await arabic('config/arabic-commands.yaml', { engine: 'meyda' });
rows.push(
  await measure(
    "same as row 1, meyda's own `Meyda.extract` per frame (`engine: meyda`), 100 clips",
    { pre: ref.pre, files: ref.files.slice(0, 100) },
    Math.min(ROUNDS, 3),
  ),
);

const cpus = os.cpus();
const load = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
const nice = os.getPriority();
const describePre = (p) =>
  `${p.sampleRate / 1000} kHz, ${p.duration} s, ${p.features} ${p.coefficients}${p.deltas ? ` + ${p.deltas} delta order(s)` : ''}, ${p.windowMs}/${p.hopMs} ms, normalize ${p.normalize}${p.trimDb ? `, trim ${p.trimDb} dB` : ''}, ${p.resampler}`;
const target = rows[0];
const L = [
  '## Audio feature extraction (`npm run bench:audio`)',
  '',
  `Measured ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC${QUICK ? ' with **--quick (100 clips, 1 round: not representative)**' : ''} on ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ` +
    `${cpus.length} cores, node ${process.version}; process priority (nice) ${nice}, load average ${load} at the end. ` +
    `\`AudioModality.decode\` over every clip, one after another in one process (read WAV, resample, trim, crop/pad, features); ` +
    `median of ${ROUNDS} round(s) after a warm-up round.`,
  '',
  '| data, preprocessing | clips | seconds of audio | wall seconds (median) | warm-up round | x real time |',
  '|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.name}: ${describePre(r.pre)} | ${r.clips.toLocaleString('en-US')} | ${fix(r.audioSeconds)} | ${fix(r.wall, 2)} | ${fix(r.warmup, 2)} | ${fix(r.realtime, 0)} |`,
  ),
  '',
  `Target: all 1,200 Arabic clips in <= 6 s (>= 200x real time): ${target.clips === 1200 ? (target.wall <= 6 ? `**met** (${fix(target.wall, 2)} s, ${fix(target.realtime, 0)}x)` : `**not met** (${fix(target.wall, 2)} s)`) : 'not measured (--quick)'}.`,
];
const text = L.join('\n');
process.stdout.write(text + '\n');
if (WRITE) {
  log(`wrote ${path.relative(ROOT, writeBenchBlock('audio', text))}`);
} else log('not writing docs/benchmarks.md (--no-write or --quick)');
