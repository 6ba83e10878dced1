// The video plugin passes the conformance suite every fewshot plugin runs (@fewshot/core/testing).
// The clips are written by the ffmpeg in use (@ffmpeg-installer/ffmpeg, ffmpeg-static or FFMPEG_PATH).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeConformance } from '@fewshot/core/testing';
import { makeClip } from './test-support.js';

/** 2 classes x 2 MP4 clips of 6 grey 16x16 frames: a bar growing rightwards or downwards. */
const fixture = mkdtempSync(join(tmpdir(), 'fewshot-video-conformance-'));
beforeAll(async () => {
  for (const label of ['across', 'down']) {
    mkdirSync(join(fixture, label));
    for (let s = 0; s < 2; s++) {
      await makeClip(join(fixture, label, `${label}-${s}.mp4`), 6, 16, (i, x, y) =>
        (label === 'across' ? x : y) < 2 * (i + 1) + s ? 0 : 255,
      );
    }
  }
});
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

describeConformance({
  plugin: '@fewshot/modality-video',
  modality: 'video',
  fixture,
  layout: 'folder',
  preprocess: { frames: 3, size: 16 },
});
