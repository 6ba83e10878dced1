import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { findFfmpeg, loadVideoOmniglot, readFrames, renderDrawingsMain, VideoModality } from '@fewshot/modality-video';
import { cli } from './run-cli-capture.js';
import { REPO_ROOT, requireData, SHARED_DATA } from './shared-data.js';

const VIDEOS = path.join(SHARED_DATA, 'omniglot-drawing-videos');
const STROKES = path.join(SHARED_DATA, 'omniglot', 'strokes');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-video-data-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the shared drawing videos', () => {
  it('load with the omniglot layout: 8 alphabets, 242 characters, 20 drawers each', async () => {
    const set = await loadVideoOmniglot({
      name: 'data.test',
      path: requireData(VIDEOS),
      layout: 'omniglot',
      options: {},
    });
    expect(set.size).toBe(4840);
    expect(set.classes).toHaveLength(242);
    expect(new Set(set.samples.map((s) => s.attrs?.['alphabet']))).toEqual(
      new Set(['Balinese', 'Early_Aramaic', 'Greek', 'Japanese_(katakana)', 'Korean', 'Latin', 'Sanskrit', 'Tagalog']),
    );
    const drawers = new Set(set.of('Latin/character01').map((s) => s.attrs?.['drawer']));
    expect(drawers.size).toBe(20);
    const test = await loadVideoOmniglot({
      name: 'data.test',
      path: VIDEOS,
      layout: 'omniglot',
      include: ['Japanese_(katakana)', 'Latin', 'Tagalog'],
      options: {},
    });
    expect(test.classes).toHaveLength(90);
  });

  it('decode to 8 frames of 28x28 in which the drawing grows to the finished character', async () => {
    const modality = new VideoModality();
    const pre = modality.preprocessSchema.parse({ frames: 8, size: 28 });
    const clip = path.join(VIDEOS, 'Latin', 'character01', '0683_01.mp4');
    const x = await modality.decode(
      { id: 'Latin/character01/0683_01.mp4', path: clip, label: 'Latin/character01' },
      pre,
    );
    expect(x.length).toBe(8 * 784);
    const ink = Array.from({ length: 8 }, (_, t) => x.subarray(t * 784, (t + 1) * 784).reduce((s, v) => s + v, 0));
    for (let t = 1; t < 8; t++) expect(ink[t]!).toBeGreaterThanOrEqual(ink[t - 1]! - 0.5);
    expect(ink[7]!).toBeGreaterThan(2 * ink[0]!); // frame 7 of 62 shows most of the first stroke only
  });
});

describe('render-drawings on the official stroke archive', () => {
  it('reproduces shared clips: the same number of frames and nearly the same ink', async () => {
    const out = path.join(tmp, 'videos');
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const code = await renderDrawingsMain(
      [
        path.join(requireData(STROKES), 'strokes_background_small1.zip'),
        '--out',
        out,
        '--alphabets',
        'Latin',
        '--limit',
        '4',
        '--quiet',
      ],
      { out: sink, err: sink },
    );
    expect(code).toBe(0);
    const ffmpeg = findFfmpeg().path;
    for (const name of ['0683_01', '0683_02', '0683_03', '0683_04']) {
      const [mine, shared] = await Promise.all(
        [out, VIDEOS].map((root) =>
          readFrames(ffmpeg, path.join(root, 'Latin', 'character01', `${name}.mp4`), { size: 112, channels: 1 }),
        ),
      );
      expect(mine!.count).toBe(shared!.count);
      // ink (< 128) of the last frames: intersection over union
      const frame = 112 * 112;
      const a = mine!.data.subarray((mine!.count - 1) * frame);
      const b = shared!.data.subarray((shared!.count - 1) * frame);
      let both = 0;
      let either = 0;
      for (let i = 0; i < frame; i++) {
        const p = a[i]! < 128;
        const q = b[i]! < 128;
        if (p && q) both++;
        if (p || q) either++;
      }
      expect(both / either).toBeGreaterThan(0.9);
    }
  }, 60_000);
});

describe('the shipped video models', () => {
  const characters = ['character01', 'character02', 'character03', 'character04', 'character05'];

  it.each(['drawing-videos', 'image-to-video'])(
    'models/%s classifies drawing videos from one example each, in any container',
    async (name) => {
      const support = path.join(tmp, `support-${name}`);
      // Latin/characterNN holds <0682 + NN>_<drawer>.mp4: drawer 01 as the one example, drawer 07 as the query
      const clip = (i: number, drawer: string): string =>
        path.join(requireData(VIDEOS), 'Latin', characters[i]!, `${String(683 + i).padStart(4, '0')}_${drawer}.mp4`);
      characters.forEach((c, i) => {
        mkdirSync(path.join(support, c), { recursive: true });
        copyFileSync(clip(i, '01'), path.join(support, c, 'example.mp4'));
      });
      const queries = characters.map((_, i) => clip(i, '07'));
      const r = await cli(
        'classify',
        '--model',
        path.join(REPO_ROOT, 'models', name),
        '--support',
        support,
        ...queries,
        '--json',
        '--quiet',
      );
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const labels = (JSON.parse(r.out).results as { label: string }[]).map((x) => x.label);
      expect(labels.filter((l, i) => l === characters[i]).length).toBeGreaterThanOrEqual(3); // 5-way: about 9 in 10 right

      // the same clip as WebM (VP8) and AVI (MPEG-4 part 2) gets the label the MP4 got
      const ffmpeg = findFfmpeg().path;
      const webm = path.join(tmp, `${name}-q.webm`);
      const avi = path.join(tmp, `${name}-q.avi`);
      expect(
        spawnSync(ffmpeg, ['-v', 'error', '-i', queries[0]!, '-c:v', 'libvpx', '-b:v', '200k', '-y', webm]).status,
      ).toBe(0);
      expect(
        spawnSync(ffmpeg, ['-v', 'error', '-i', queries[0]!, '-c:v', 'mpeg4', '-q:v', '2', '-y', avi]).status,
      ).toBe(0);
      const again = await cli(
        'classify',
        '--model',
        path.join(REPO_ROOT, 'models', name),
        '--support',
        support,
        webm,
        avi,
        '--json',
        '--quiet',
      );
      expect(again.code).toBe(0);
      expect((JSON.parse(again.out).results as { label: string }[]).map((x) => x.label)).toEqual([
        labels[0],
        labels[0],
      ]);
    },
    120_000,
  );
});
