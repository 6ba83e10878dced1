#!/usr/bin/env node
// Compare a rendered drawing-video set with a reference one (e.g. the output of render-drawings with the
// shared omniglot-drawing-videos): for every clip of MINE that REFERENCE has too, the frame counts and,
// at full size, the ink (pixels < 128) of every frame: intersection over union, and the mean absolute
// grey difference of the last frames. Run `npx tsc -b` first.
//
//   node packages/modality-video/scripts/compare-videos.mjs MINE REFERENCE [--size 112]
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { DecodePool, findFfmpeg, readFrames } = await import(pathToFileURL(path.join(ROOT, 'dist/index.js')).href);
const [mine, reference] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const sizeAt = process.argv.indexOf('--size');
const size = sizeAt > 0 ? Number(process.argv[sizeAt + 1]) : 112;
if (!mine || !reference) {
  process.stderr.write('usage: compare-videos.mjs MINE REFERENCE [--size 112]\n');
  process.exit(2);
}

function list(dir, rel = '') {
  const out = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...list(dir, r));
    else if (e.name.endsWith('.mp4')) out.push(r);
  }
  return out;
}

const ffmpeg = findFfmpeg().path;
const pool = new DecodePool();
const clips = list(mine).sort();
const frame = size * size;
const stats = { clips: 0, missing: 0, sameCount: 0, countDiffs: new Map(), lastIou: [], allIou: [], lastDiff: [] };
await Promise.all(
  clips.map((rel) =>
    pool.run(async () => {
      let a;
      let b;
      try {
        [a, b] = await Promise.all(
          [mine, reference].map((root) => readFrames(ffmpeg, path.join(root, rel), { size, channels: 1 })),
        );
      } catch {
        stats.missing++;
        return;
      }
      stats.clips++;
      const d = a.count - b.count;
      if (d === 0) stats.sameCount++;
      stats.countDiffs.set(d, (stats.countDiffs.get(d) ?? 0) + 1);
      const n = Math.min(a.count, b.count);
      let iouSum = 0;
      for (let f = 0; f < n; f++) {
        let both = 0;
        let either = 0;
        let diff = 0;
        for (let i = f * frame; i < (f + 1) * frame; i++) {
          const p = a.data[i] < 128;
          const q = b.data[i] < 128;
          if (p && q) both++;
          if (p || q) either++;
          if (f === n - 1) diff += Math.abs(a.data[i] - b.data[i]);
        }
        const iou = either === 0 ? 1 : both / either;
        iouSum += iou;
        if (f === n - 1) {
          stats.lastIou.push(iou);
          stats.lastDiff.push(diff / frame);
        }
      }
      stats.allIou.push(iouSum / n);
    }),
  ),
);
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
const pct = (xs, q) => xs.slice().sort((x, y) => x - y)[Math.floor(q * (xs.length - 1))];
console.log(`${stats.clips} clips compared (${stats.missing} of ${clips.length} not in both), ${size}x${size}`);
console.log(
  `frame counts equal: ${stats.sameCount} (${((100 * stats.sameCount) / Math.max(1, stats.clips)).toFixed(2)}%); differences: ${JSON.stringify(Object.fromEntries([...stats.countDiffs].sort((x, y) => x[0] - y[0])))}`,
);
console.log(
  `ink IoU of the last frames: mean ${mean(stats.lastIou).toFixed(4)}, 1st percentile ${pct(stats.lastIou, 0.01).toFixed(4)}, min ${Math.min(...stats.lastIou).toFixed(4)}`,
);
console.log(
  `ink IoU over all frames (mean per clip): mean ${mean(stats.allIou).toFixed(4)}, min ${Math.min(...stats.allIou).toFixed(4)}`,
);
console.log(
  `last frames, mean |grey difference| (0-255): mean ${mean(stats.lastDiff).toFixed(3)}, max ${Math.max(...stats.lastDiff).toFixed(3)}`,
);
