#!/usr/bin/env node
// Video decoding throughput on this machine (run `npx tsc -b` first; it uses the built video plugin).
//
//   npm run bench:video [-- --clips N] [-- --rounds R] [-- --clips-per-process K] [-- --in-flight F] [-- --reference] [-- --no-write] [-- --quick]
//
// Decodes N clips of the shared omniglot-drawing-videos set (default 1,000, spread evenly over the
// 4,840 in sorted order) to T=8 frames of 28x28 grey through VideoModality.decode, exactly as training
// and evaluation do (up to K clips per ffmpeg process, default the modality's 16: the clips' H.264
// streams demuxed in JS and piped into ffmpeg as one stream, only the 8 picked frames scaled and piped
// back; a decode pool as wide as the cores), R times (default 3; the first round also warms the page
// cache). --in-flight F keeps at most F decodes waiting at once (default: every clip at once;
// training's SampleStore.decode keeps 16). --reference measures the reference path instead (FEWSHOT_VIDEO_DECODER=reference: ffmpeg
// opens every file and pipes every frame, frames picked in JS; the same values) and never writes. Prints clips/s per round and their median, the CPU time per clip of node and of the ffmpeg
// processes (less sensitive to other load than the wall time), with the machine's load average before
// and after (other work slows it down). Target: >= 150 clips/s. The figures are written to docs/benchmarks.md between
// <!-- bench:video:start --> and <!-- bench:video:end --> (appended when the markers are missing),
// unless --no-write (or --quick: 100 clips, 1 round, no write). Data: $FEWSHOT_DATA, default ../shared/data.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeBenchBlock } from './benchmarks-doc.mjs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const QUICK = argv.includes('--quick');
const REFERENCE = argv.includes('--reference') || process.env.FEWSHOT_VIDEO_DECODER === 'reference';
if (REFERENCE) process.env.FEWSHOT_VIDEO_DECODER = 'reference';
const WRITE = !argv.includes('--no-write') && !QUICK && !REFERENCE;
const CLIPS = opt('clips', QUICK ? 100 : 1000);
const ROUNDS = opt('rounds', QUICK ? 1 : 3);
const PER_PROCESS = opt('clips-per-process', undefined);
const IN_FLIGHT = opt('in-flight', Infinity);
const DATA = path.resolve(ROOT, process.env.FEWSHOT_DATA ?? '../shared/data');
const VIDEOS = path.join(DATA, 'omniglot-drawing-videos');
const TARGET = 150;
const log = (line) => process.stderr.write(`[bench:video] ${line}\n`);

const dist = path.join(ROOT, 'packages/modality-video/dist/index.js');
if (!existsSync(dist)) throw new Error(`${dist} is missing: run npx tsc -b first`);
const { VideoModality, ffmpegVersion, DEFAULT_CLIPS_PER_PROCESS } = await import(pathToFileURL(dist).href);
if (!existsSync(VIDEOS)) throw new Error(`${VIDEOS} is missing: set FEWSHOT_DATA to the shared data folder`);

/** Every clip of the set, sorted. */
function listClips(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listClips(p));
    else if (e.name.endsWith('.mp4')) out.push(p);
  }
  return out;
}

const all = listClips(VIDEOS);
const step = Math.max(1, Math.floor(all.length / CLIPS));
const clips = all.filter((_, i) => i % step === 0).slice(0, CLIPS);
const modality = new VideoModality(undefined, PER_PROCESS === undefined ? {} : { clipsPerProcess: PER_PROCESS });
const pre = modality.preprocessSchema.parse({ frames: 8, size: 28 });
const median = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** CPU ms of the ended child processes (ffmpeg) so far: cutime + cstime of /proc/self/stat (Linux; else NaN). */
function childCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // clock ticks, USER_HZ = 100 on Linux
  } catch {
    return NaN;
  }
}
// the reference path opens at most 16 files per ffmpeg process (readFramesMany)
const perProcess = Math.min(PER_PROCESS ?? DEFAULT_CLIPS_PER_PROCESS, REFERENCE ? 16 : Infinity);

const load0 = os.loadavg();
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const cpu0 = process.cpuUsage();
  const child0 = childCpuMs();
  const t0 = performance.now();
  let values = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, clips.length) }, async () => {
      while (next < clips.length) {
        const c = clips[next++];
        const n = (await modality.decode({ id: c, path: c, label: '' }, pre)).length;
        values += n;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const childMs = childCpuMs() - child0;
  if (values !== clips.length * 8 * 28 * 28)
    throw new Error(`decoded ${values} values, expected ${clips.length * 8 * 28 * 28}`);
  rounds.push({
    seconds,
    clipsPerSecond: clips.length / seconds,
    nodeCpuMsPerClip: (cpu.user + cpu.system) / 1000 / clips.length,
    ffmpegCpuMsPerClip: childMs / clips.length,
  });
  log(
    `round ${r + 1}: ${clips.length} clips in ${seconds.toFixed(2)} s = ${(clips.length / seconds).toFixed(1)} clips/s; ` +
      `CPU ms per clip: node ${rounds.at(-1).nodeCpuMsPerClip.toFixed(2)}, ffmpeg ${rounds.at(-1).ffmpegCpuMsPerClip.toFixed(2)}; load ${os.loadavg()[0].toFixed(2)}`,
  );
}
const load1 = os.loadavg();
const best = median(rounds.map((r) => r.clipsPerSecond));
const ff = modality.ffmpeg;
const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
const cpuModel = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
const lines = [
  '## Video decoding (`npm run bench:video`)',
  '',
  `Measured ${when} UTC on ${cpuModel}, ${os.cpus().length} cores, node ${process.version}; load average ${load0[0].toFixed(2)} before and ${load1[0].toFixed(2)} after ` +
    `(other processes on the machine slow decoding down). ffmpeg: ${ffmpegVersion(ff.path).replace(/ (https?:\/\/\S+ +)?Copyright.*/, '')} (${ff.source}); decode pool ${modality.pool.width} process(es).`,
  '',
  `Decoding ${clips.length.toLocaleString('en-US')} clips of \`omniglot-drawing-videos\` (every ${step}th of ${all.length.toLocaleString('en-US')}, 112x112 H.264, about 2-10 s each) to T=8 frames of 28x28 grey through \`VideoModality.decode\`${Number.isFinite(IN_FLIGHT) ? ` (${IN_FLIGHT} at a time)` : ''} (up to ${perProcess} clip(s) per ffmpeg process, ${REFERENCE ? 'reference path: every file opened by ffmpeg, every frame piped, frames picked in JS' : 'the clips demuxed in JS and piped into ffmpeg as one H.264 stream, only the picked frames scaled and piped back'}), ${ROUNDS} round(s):`,
  '',
  '| round | seconds | clips/s | node CPU ms per clip | ffmpeg CPU ms per clip |',
  '|---:|---:|---:|---:|---:|',
  ...rounds.map(
    (r, i) =>
      `| ${i + 1} | ${r.seconds.toFixed(2)} | ${r.clipsPerSecond.toFixed(1)} | ${r.nodeCpuMsPerClip.toFixed(2)} | ${r.ffmpegCpuMsPerClip.toFixed(2)} |`,
  ),
  '',
  `| measure | figure | target | met |`,
  '|---|---|---|---|',
  `| decode T=8 frames at 28x28, median of ${ROUNDS} round(s) | ${best.toFixed(1)} clips/s | >= ${TARGET} clips/s | ${best >= TARGET ? 'yes' : 'no'} |`,
];
const block = lines.join('\n');
process.stdout.write(block + '\n');
if (WRITE) {
  log(`wrote ${path.relative(ROOT, writeBenchBlock('video', block))}`);
}
