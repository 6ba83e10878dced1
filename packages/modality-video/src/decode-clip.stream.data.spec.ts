// The MP4 stream path (clips demuxed in JS, one H.264 stream into ffmpeg, only the picked frames
// scaled) must give the very values of the reference path (ffmpeg opens each file, every frame is
// piped, frames picked in JS) on real clips of omniglot-drawing-videos ($FEWSHOT_TEST_DATA, else
// ../shared/data next to the repository): the shipped video models were trained and measured on them.
// All 4,840 clips were compared this way once (2026-11-30, batches of 16 in order and of 64 shuffled);
// here every 100th, which runs in seconds.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { testDataDir, testDataPath } from '@fewshot/core/testing';
import { framesToSample, readFramesMany, type ReadFramesOptions } from './decode-clip.js';
import { findFfmpeg } from './ffmpeg-binary.js';
import { decodeSide, refinedSample, refines } from './frame-refine.js';
import { videoPreprocessSchema, type VideoPreprocess } from './video-preprocess.js';

const videos = path.join(testDataDir(import.meta.url), 'omniglot-drawing-videos');

/** Every clip of the set, sorted (as the bench and the loaders list them). */
function allClips(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.mp4')) out.push(path.join(dir, e.name));
    }
  };
  walk(videos);
  return out;
}

/**
 * sha256 of the float32 samples (T=8, 28x28 grey, uniform, inverted to [0, 1]) of every 100th clip,
 * in order, as the reference path gave them before the stream path existed (commit 1c08ae6).
 */
const REFERENCE_SHA256 = '7c2f4c4cc27be77edd8506e97ec855278208287b2567f99373109e2317712cab';

let ffmpeg: string;
let clips: string[];
beforeAll(() => {
  testDataPath(import.meta.url, 'omniglot-drawing-videos'); // fails naming FEWSHOT_TEST_DATA when missing
  ffmpeg = findFfmpeg().path;
  clips = allClips().filter((_, i) => i % 100 === 0);
});

/** The samples of `files` at `p`, 16 clips per ffmpeg run, by either path. */
async function samples(files: readonly string[], p: VideoPreprocess, reference: boolean): Promise<Float32Array[]> {
  const o: ReadFramesOptions = {
    size: decodeSide(p),
    channels: p.channels,
    pick: { frames: p.frames, sampling: p.sampling },
    reference,
  };
  const out: Float32Array[] = [];
  for (let i = 0; i < files.length; i += 16) {
    const batch = files.slice(i, i + 16);
    for (const [k, r] of (await readFramesMany(ffmpeg, batch, o)).entries()) {
      if (r.status === 'rejected') throw new Error(`${batch[k]}: ${String(r.reason)}`);
      if (!reference && !r.value.held) throw new Error(`${batch[k]} did not go through the stream path`);
      out.push(refines(p) ? refinedSample(r.value, p) : framesToSample(r.value, p)); // as VideoModality.decode
    }
  }
  return out;
}

describe('MP4 stream path on real clips', () => {
  it('gives the values of the reference path, byte for byte (T=8, 28x28 grey)', async () => {
    const p = videoPreprocessSchema.parse({ frames: 8, size: 28 });
    const [stream, reference] = [await samples(clips, p, false), await samples(clips, p, true)];
    expect(clips.length).toBe(49);
    const differ = clips.filter((_, k) => !Buffer.from(stream[k]!.buffer).equals(Buffer.from(reference[k]!.buffer)));
    expect(differ).toEqual([]);
    const hash = createHash('sha256');
    for (const x of reference) hash.update(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    expect(hash.digest('hex')).toBe(REFERENCE_SHA256);
  }, 60_000);

  it('and at other settings (RGB, other sizes, the last frame, refined frames)', async () => {
    const few = clips.slice(0, 12);
    for (const settings of [
      { frames: 5, size: 20, channels: 3 },
      { frames: 4, size: 112, sampling: 'last', normalize: 'none', invert: false },
      { frames: 8, size: 28, decodeSize: 112, thicken: 1.5, crop: 3 }, // the shipped video models' frames
    ]) {
      const p = videoPreprocessSchema.parse(settings);
      const [stream, reference] = [await samples(few, p, false), await samples(few, p, true)];
      expect(few.filter((_, k) => !Buffer.from(stream[k]!.buffer).equals(Buffer.from(reference[k]!.buffer)))).toEqual(
        [],
      );
    }
  }, 60_000);
});
