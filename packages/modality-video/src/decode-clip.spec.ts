import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, PluginError } from '@fewshot/core/plugin';
import {
  defaultTimeoutMs,
  framesToSample,
  pickFrames,
  readFrames,
  readFramesMany,
  selectExpression,
  type RawFrames,
} from './decode-clip.js';
import { findFfmpeg } from './ffmpeg-binary.js';
import { makeVariableRateClip } from './mp4-test-clips.js';
import { encodeClip } from './render/encode-clip.js';
import { makeAudioOnly, makeClip, makeGarbage } from './test-support.js';
import { videoPreprocessSchema } from './video-preprocess.js';

const videoPreprocess = (v: unknown) => videoPreprocessSchema.parse(v);

let dir: string;
let ffmpeg: string;
let ramp: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-decode-'));
  ffmpeg = findFfmpeg().path;
  ramp = join(dir, 'ramp.mp4');
  // 10 flat frames, frame i at grey level 20 * i + 10 (left half) and 255 - that (right half)
  await makeClip(ramp, 10, 16, (i, x) => (x < 8 ? 20 * i + 10 : 245 - 20 * i));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pickFrames', () => {
  it('takes the end of each T-th of the clip, the last frame last', () => {
    expect(pickFrames(62, 8, 'uniform')).toEqual([7, 15, 23, 30, 38, 46, 54, 61]);
    expect(pickFrames(8, 8, 'uniform')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(pickFrames(16, 4, 'uniform')).toEqual([3, 7, 11, 15]);
    expect(pickFrames(1, 3, 'uniform')).toEqual([0, 0, 0]);
  });

  it('repeats frames of a clip shorter than T, in order', () => {
    expect(pickFrames(3, 8, 'uniform')).toEqual([0, 0, 1, 1, 1, 2, 2, 2]);
  });

  it("'last' takes the last frame T times", () => {
    expect(pickFrames(62, 4, 'last')).toEqual([61, 61, 61, 61]);
    expect(() => pickFrames(0, 4, 'uniform')).toThrow(RangeError);
  });
});

describe('readFrames', () => {
  it('decodes every frame at the requested size through a pipe', async () => {
    const raw = await readFrames(ffmpeg, ramp, { size: 4, channels: 1 });
    expect(raw.count).toBe(10);
    expect(raw.data.length).toBe(10 * 16);
    // frame 3, row 0: left half 70, right half 185 (area scaling of flat halves keeps them)
    const row = [...raw.data.subarray(3 * 16, 3 * 16 + 4)];
    expect(row[0]).toBeCloseTo(70, -1);
    expect(row[3]).toBeCloseTo(185, -1);
    const rgb = await readFrames(ffmpeg, ramp, { size: 4, channels: 3 });
    expect(rgb.data.length).toBe(10 * 4 * 4 * 3);
  });

  it('names the file for a missing, empty, corrupt or audio-only file', async () => {
    const missing = join(dir, 'missing.mp4');
    await expect(readFrames(ffmpeg, missing, { size: 8, channels: 1 })).rejects.toThrow(
      `video file not found: ${missing}`,
    );
    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    await expect(readFrames(ffmpeg, empty, { size: 8, channels: 1 })).rejects.toThrow(
      `video file is empty (0 bytes): ${empty}`,
    );
    const corrupt = join(dir, 'corrupt.mp4');
    await makeGarbage(corrupt);
    const err = await readFrames(ffmpeg, corrupt, { size: 8, channels: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      `cannot decode video ${corrupt}: corrupt or not a video file (ffmpeg exit code 1)`,
    );
    expect((err as DataError).hints.join('\n')).toMatch(/ffmpeg: .*Invalid data/);
    // damaged frame data (the container intact): ffmpeg decodes what it can, prints errors and exits 0
    const damaged = join(dir, 'damaged.mp4');
    const bytes = Buffer.from(await readFile(ramp));
    bytes.fill(0xff, Math.floor(bytes.length * 0.3), Math.floor(bytes.length * 0.5));
    await writeFile(damaged, bytes);
    const bad = await readFrames(ffmpeg, damaged, { size: 8, channels: 1 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(DataError);
    expect((bad as DataError).message).toBe(
      `video file is damaged: ffmpeg reported errors while decoding ${damaged} (truncated or corrupt?)`,
    );
    const audio = join(dir, 'audio.mp4');
    await makeAudioOnly(audio);
    await expect(readFrames(ffmpeg, audio, { size: 8, channels: 1 })).rejects.toThrow(
      `no video stream in ${audio} (an audio-only file?)`,
    );
  }, 30_000);

  it('is a PluginError naming the binary when ffmpeg cannot be run', async () => {
    const bogus = join(dir, 'no-ffmpeg-here');
    const err = await readFrames(bogus, ramp, { size: 8, channels: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as Error).message).toContain(`cannot run ffmpeg (${bogus}) to read ${ramp}`);
  });
});

describe('readFrames timeout', () => {
  it('kills ffmpeg after the timeout with a DataError naming the file and the limit', async () => {
    const err = await readFrames(ffmpeg, ramp, { size: 8, channels: 1, timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toBe(
      `ffmpeg did not finish decoding ${ramp} within 0.001 s and was stopped (a damaged or very long video?)`,
    );
    expect((err as DataError).hints).toContain('allow more time with FEWSHOT_FFMPEG_TIMEOUT=<seconds>');
  });

  it('defaults to 60 s, or FEWSHOT_FFMPEG_TIMEOUT seconds', () => {
    expect(defaultTimeoutMs({})).toBe(60_000);
    expect(defaultTimeoutMs({ FEWSHOT_FFMPEG_TIMEOUT: '2.5' })).toBe(2500);
    expect(defaultTimeoutMs({ FEWSHOT_FFMPEG_TIMEOUT: 'soon' })).toBe(60_000);
    expect(defaultTimeoutMs({ FEWSHOT_FFMPEG_TIMEOUT: '0' })).toBe(60_000);
  });
});

describe('readFramesMany', () => {
  it('gives each file the frames readFrames gives it, from one process', async () => {
    const other = join(dir, 'other.mp4');
    await makeClip(other, 7, 16, (i, x, y) => (x + y + 9 * i) % 256);
    const files = [ramp, other, ramp];
    const many = await readFramesMany(ffmpeg, files, { size: 6, channels: 1 });
    expect(many.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    for (const [k, f] of files.entries()) {
      const alone = await readFrames(ffmpeg, f, { size: 6, channels: 1 });
      const got = (many[k] as PromiseFulfilledResult<{ data: Buffer; count: number }>).value;
      expect(got.count).toBe(alone.count);
      expect(got.data.equals(alone.data)).toBe(true);
    }
    expect((many[1] as PromiseFulfilledResult<{ count: number }>).value.count).toBe(7);
  }, 30_000);

  it('gives a bad file its own DataError and the others their frames', async () => {
    const corrupt = join(dir, 'corrupt-many.mp4');
    await makeGarbage(corrupt);
    const many = await readFramesMany(ffmpeg, [ramp, corrupt, ramp], { size: 4, channels: 1 });
    expect(many.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (many[1] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(DataError);
    expect(reason.message).toBe(`cannot decode video ${corrupt}: corrupt or not a video file (ffmpeg exit code 1)`);
    const bogus = await readFramesMany(join(dir, 'no-ffmpeg-here'), [ramp, ramp], { size: 4, channels: 1 });
    expect(
      bogus.map((r) => (r.status === 'rejected' && r.reason instanceof PluginError ? 'plugin' : r.status)),
    ).toEqual(['plugin', 'plugin']);
  }, 30_000);
});

describe('framesToSample', () => {
  it('stacks the picked frames vertically, inverted to [0, 1]', async () => {
    const raw = await readFrames(ffmpeg, ramp, { size: 4, channels: 1 });
    const p = videoPreprocess({ frames: 4, size: 4 });
    const x = framesToSample(raw, p);
    expect(x.length).toBe(4 * 4 * 4);
    // frames 2, 4, 7, 9; pixel (0, 0) of each is grey 20 * i + 10, inverted: 1 - v / 255
    const firstPixels = [0, 1, 2, 3].map((t) => x[t * 16]!);
    [2, 4, 7, 9].forEach((f, t) => expect(firstPixels[t]).toBeCloseTo(1 - (20 * f + 10) / 255, 1));
    const last = framesToSample(
      raw,
      videoPreprocess({ frames: 4, size: 4, sampling: 'last', invert: false, normalize: 'none' }),
    );
    expect([...last.subarray(0, 16)]).toEqual([...last.subarray(48, 64)]);
    expect(last[0]).toBeCloseTo(190, -1);
  });
});

describe('readFramesMany, the MP4 stream path', () => {
  let bframes: string;
  let other: string;
  const value = (r: PromiseSettledResult<RawFrames> | undefined): RawFrames =>
    (r as PromiseFulfilledResult<RawFrames>).value;
  /** Frame `f` of a readFrames result (all frames). */
  const frame = (raw: RawFrames, f: number, bytes: number): Buffer => raw.data.subarray(f * bytes, (f + 1) * bytes);
  beforeAll(async () => {
    // the shared set's encoder settings (B-frames, an edit list), 13 frames of a moving bar
    bframes = join(dir, 'bframes.mp4');
    const data = new Uint8Array(13 * 16 * 16).map((_, j) => (((j % 16) + 16 * Math.floor(j / 256)) % 64 < 8 ? 0 : 255));
    const o = { size: 16, fps: 25, codec: 'libx264', crf: 30, preset: 'slow' };
    await encodeClip(ffmpeg, { count: 13, data }, o, bframes);
    other = join(dir, 'other-stream.mp4');
    await makeClip(other, 7, 16, (i, x, y) => (x + y + 9 * i) % 256);
  }, 60_000);

  it('holds only the picked frames, the bytes readFrames gives for them', async () => {
    const files = [bframes, ramp, other, bframes];
    const pick = { frames: 4, sampling: 'uniform' } as const;
    const many = await readFramesMany(ffmpeg, files, { size: 6, channels: 1, pick });
    expect(many.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    for (const [k, f] of files.entries()) {
      const alone = await readFrames(ffmpeg, f, { size: 6, channels: 1 });
      const got = value(many[k]);
      expect(got.count).toBe(alone.count);
      expect(got.held).toEqual([...new Set(pickFrames(alone.count, 4, 'uniform'))]);
      expect(got.data.length).toBe(got.held!.length * 36);
      got.held!.forEach((f, j) => expect(frame(got, j, 36).equals(frame(alone, f, 36))).toBe(true));
    }
    expect(value(many[0]).held).toEqual([3, 6, 9, 12]);
    // the same sample as from every frame (the reference path)
    const ref = await readFramesMany(ffmpeg, files, { size: 6, channels: 1, pick, reference: true });
    expect(value(ref[0]).held).toBeUndefined();
    const p = videoPreprocess({ frames: 4, size: 6 });
    expect([...framesToSample(value(many[0]), p)]).toEqual([...framesToSample(value(ref[0]), p)]);
    const rgb = await readFramesMany(ffmpeg, [bframes, other], {
      size: 5,
      channels: 3,
      pick: { frames: 3, sampling: 'last' },
    });
    expect(value(rgb[1]).held).toEqual([6]);
    expect(
      frame(value(rgb[1]), 0, 75).equals(frame(await readFrames(ffmpeg, other, { size: 5, channels: 3 }), 6, 75)),
    ).toBe(true);
  }, 30_000);

  it('leaves a clip it cannot stream (frame durations that vary) to ffmpeg, as before', async () => {
    const vfr = join(dir, 'vfr.mp4');
    await makeVariableRateClip(vfr);
    const many = await readFramesMany(ffmpeg, [bframes, vfr, other], {
      size: 4,
      channels: 1,
      pick: { frames: 8, sampling: 'uniform' },
    });
    expect(many.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const alone = await readFrames(ffmpeg, vfr, { size: 4, channels: 1 });
    expect(alone.count).toBe(17); // 10 coded frames, repeated to a constant rate
    expect(value(many[1]).held).toBeUndefined();
    expect(value(many[1]).data.equals(alone.data)).toBe(true);
    expect(value(many[0]).held).toHaveLength(8);
  }, 30_000);

  it('gives a damaged clip of a stream its own DataError and the others their frames', async () => {
    const damaged = join(dir, 'damaged-stream.mp4');
    const bytes = Buffer.from(await readFile(bframes));
    bytes.fill(0xff, Math.floor(bytes.length * 0.3), Math.floor(bytes.length * 0.5));
    await writeFile(damaged, bytes);
    const many = await readFramesMany(ffmpeg, [bframes, damaged, other], {
      size: 4,
      channels: 1,
      pick: { frames: 2, sampling: 'uniform' },
    });
    expect(many.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const reason = (many[1] as PromiseRejectedResult).reason as Error;
    expect(reason).toBeInstanceOf(DataError);
    expect(reason.message).toContain(damaged);
    expect(value(many[2]).count).toBe(7);
  }, 30_000);

  it('keeps the timeout: each clip gets the DataError naming it and the limit', async () => {
    const many = await readFramesMany(ffmpeg, [bframes, other], {
      size: 4,
      channels: 1,
      timeoutMs: 1,
      pick: { frames: 2, sampling: 'uniform' },
    });
    expect(many.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'decoded'))).toEqual([
      `ffmpeg did not finish decoding ${bframes} within 0.001 s and was stopped (a damaged or very long video?)`,
      `ffmpeg did not finish decoding ${other} within 0.001 s and was stopped (a damaged or very long video?)`,
    ]);
  });

  it('selects frames with a balanced tree of comparisons', () => {
    expect(selectExpression([3])).toBe('eq(n,3)');
    expect(selectExpression([1, 5, 9])).toBe('if(lt(n,5),eq(n,1),if(lt(n,9),eq(n,5),eq(n,9)))');
    expect(selectExpression([])).toBe('0');
  });

  it('framesToSample takes held frames by their place, and refuses a frame that was not read', () => {
    // frames 4 and 9 of a 10-frame clip, 4x4, flat grey 10 and 30
    const raw: RawFrames = {
      data: Buffer.concat([Buffer.alloc(16, 10), Buffer.alloc(16, 30)]),
      count: 10,
      held: [4, 9],
    };
    const p = videoPreprocess({ frames: 2, size: 4, invert: false, normalize: 'none' });
    expect([...framesToSample(raw, p)]).toEqual([...new Array<number>(16).fill(10), ...new Array<number>(16).fill(30)]);
    expect(() => framesToSample(raw, videoPreprocess({ frames: 3, size: 4 }))).toThrow(RangeError);
  });
});
