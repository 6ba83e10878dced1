import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  DataError,
  LabeledSet,
  SampleStore,
  augmentSettings,
  decodeCached,
  type SampleRef,
} from '@fewshot/core';
import type { VideoPreprocess } from './video-preprocess.js';
import { makeClip } from './test-support.js';
import { VideoModality } from './video-modality.js';

const modality = new VideoModality();
const parse = (v: unknown): VideoPreprocess => modality.preprocessSchema.parse(v);
const ref = (path: string): SampleRef => ({ id: path, path, label: 'x' });

let dir: string;
let clips: string[];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-video-modality-'));
  await mkdir(join(dir, 'a'));
  await mkdir(join(dir, 'b'));
  clips = [join(dir, 'a', 'one.mp4'), join(dir, 'a', 'two.mp4'), join(dir, 'b', 'three.mp4')];
  // a dark square growing over 6 frames (a drawing in progress), on white
  for (const [k, file] of clips.entries())
    await makeClip(file, 6 + k, 16, (i, x, y) => (x < 2 * (i + 1) && y < 8 + k ? 0 : 255));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('VideoModality', () => {
  it('describes itself', () => {
    expect(modality.id).toBe('video');
    expect(modality.layouts).toEqual(['folder', 'omniglot']);
    expect(modality.defaultEncoder).toBe('frame-pool');
    const info = modality.info();
    expect(info['ffmpeg']).toMatch(
      / \(from (FFMPEG_PATH|ffmpeg-static|@ffmpeg-installer\/ffmpeg|PATH); search order FFMPEG_PATH > ffmpeg-static > @ffmpeg-installer\/ffmpeg > PATH\)$/,
    );
    expect(info['ffmpeg version']).toMatch(/^ffmpeg version/);
  });

  it('fills preprocessing defaults, parses its own output to the same object, names its shape [time, height, width, channels]', () => {
    const pre = parse({});
    expect(pre).toEqual({ frames: 8, size: 28, channels: 1, sampling: 'uniform', invert: true, normalize: 'unit' });
    expect(parse(pre)).toEqual(pre);
    expect(modality.sampleShape(pre)).toEqual({ dims: [8, 28, 28, 1], names: ['time', 'height', 'width', 'channels'] });
    expect(modality.sampleShape(parse({ frames: 4, size: 32, channels: 3 })).dims).toEqual([4, 32, 32, 3]);
    expect(modality.storesAsUint8(parse({}))).toBe(true);
    expect(modality.storesAsUint8(parse({ normalize: 'none' }))).toBe(false);
  });

  it('rejects bad preprocessing settings, naming the key', () => {
    expect(() => parse({ frames: 0 })).toThrow();
    expect(() => parse({ sampling: 'random' })).toThrow();
    expect(() => parse({ size: 2 })).toThrow(/size/);
    expect(() => parse({ fps: 2 })).toThrow(/fps/);
    // augmentation is off by default; a misspelt key is a ConfigError
    expect(augmentSettings(modality, {})).toMatchObject({ affine: false });
    expect(() => augmentSettings(modality, { affine: true, rotaton: 5 })).toThrow(ConfigError);
  });

  it('decodes a clip to T frames, ink 1 on 0, the last frame being the clip end', async () => {
    const x = await modality.decode(ref(clips[0]!), parse({ frames: 3, size: 8 }));
    expect(x.length).toBe(3 * 8 * 8);
    const inkOf = (t: number): number => x.subarray(t * 64, (t + 1) * 64).reduce((s, v) => s + v, 0);
    // frames 1, 3, 5 of 6: the square grows
    expect(inkOf(0)).toBeLessThan(inkOf(1));
    expect(inkOf(1)).toBeLessThan(inkOf(2));
    expect(Math.abs(inkOf(2) - 24)).toBeLessThan(1); // a 12 x 8 square of 16 x 16 is 6 x 4 of 8 x 8
    const last = await modality.decode(ref(clips[0]!), parse({ frames: 3, size: 8, sampling: 'last' }));
    expect([...last.subarray(0, 64)]).toEqual([...x.subarray(128, 192)]);
  });

  it('goes through the decoded-data cache like any modality, and skips bad clips when asked', async () => {
    const bad = join(dir, 'b', 'bad.mp4');
    await writeFile(bad, 'not a video');
    const set = new LabeledSet(
      [...clips, bad].map((path, i) => ({ id: String(i), path, label: path.includes('/a/') ? 'a' : 'b' })),
      'clips',
    );
    const pre = parse({ frames: 2, size: 8 });
    await expect(SampleStore.decode(set, modality, pre)).rejects.toThrow(`cannot decode video ${bad}`);
    const cacheDir = join(dir, 'cache');
    const first = await decodeCached(set, modality, pre, { cacheDir, onBadSample: 'skip' });
    expect(first.cache.hit).toBe(false);
    expect(first.skipped).toEqual([{ path: bad, reason: expect.stringContaining(`cannot decode video ${bad}`) }]);
    expect(first.store.count).toBe(3);
    expect(first.store.shape).toEqual({ dims: [2, 8, 8, 1], names: ['time', 'height', 'width', 'channels'] });
    expect(first.store.dtype).toBe('uint8');
    const counting = Object.assign(Object.create(modality) as VideoModality, {
      decode: () => Promise.reject(new Error('decoded again')),
    });
    const second = await decodeCached(set, counting, pre, { cacheDir, onBadSample: 'skip' });
    expect(second.cache.hit).toBe(true);
    expect([...second.store.row(2)]).toEqual([...first.store.row(2)]);
    await expect(decodeCached(set, counting, pre, { cacheDir })).rejects.toThrow(DataError);
  }, 30_000);

  it('fails with typed errors: unknown layout', async () => {
    await expect(modality.load({ name: 'data.test', path: dir, layout: 'omniglott', options: {} })).rejects.toThrow(
      "data.test.layout: the video modality has no layout 'omniglott' (did you mean 'omniglot'?)",
    );
  });
});
