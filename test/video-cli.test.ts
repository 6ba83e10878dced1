import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { writeAudioOnly, writeCorruptAndEmpty, writeShapeClips } from './video-clips.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-video-cli-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const train = path.join(tmp, 'train');
const test = path.join(tmp, 'test');
const bad = path.join(tmp, 'bad');
const support = path.join(tmp, 'support');

beforeAll(async () => {
  await writeShapeClips(train, 3);
  await writeShapeClips(test, 2);
  await writeShapeClips(support, 1);
  await writeShapeClips(bad, 2);
  writeCorruptAndEmpty(path.join(bad, 'vertical', 'corrupt.mp4'), path.join(bad, 'horizontal', 'empty.mp4'));
  await writeAudioOnly(path.join(bad, 'diagonal', 'audio-only.mp4'));
}, 120_000);

function experiment(name: string, testPath: string, extra = ''): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seed: 3
backend: wasm
modality: video
data:
  root: ${tmp}
  layout: folder
  preprocess: { frames: 4, size: 16 }
  sharedClasses: true
  train: { path: train }
  test: { path: ${testPath} }
model:
  encoder: frame-pool
  encoderOptions: { pooling: conv, frameOptions: { filters: 4, blocks: 2 } }
  head: contrastive
train:
  objective: prototypes
  episode: { ways: 3, shots: 1, queries: 1 }
  epochs: 1
  stepsPerEpoch: 3
  learningRate: 0.01
eval: { ways: 3, shots: 1, queries: 1, episodes: 30 }
${extra}`,
  );
  return file;
}

describe('fewshot CLI with the video plugin', () => {
  it('lists the video modality with the ffmpeg in use, its encoder and baseline', async () => {
    const r = await cli('plugins');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ {2}video: videos \(.mp4, .webm, .avi, .mov, .mkv\)/);
    expect(r.out).toMatch(
      / {4}ffmpeg: \S+ffmpeg\S* \(from (FFMPEG_PATH|ffmpeg-static|@ffmpeg-installer\/ffmpeg|PATH); search order/,
    );
    expect(r.out).toMatch(/ {2}frame-pool: a per-frame CNN/);
    expect(r.out).toMatch(/ {2}last-frame-pixel: .* \(video\)/);
  });

  it('trains a video model, evaluates it with the preprocessing saved in it, and classifies video files', async () => {
    const model = path.join(tmp, 'model');
    const t = await cli('train', experiment('tiny', 'test'), '--out', model, '--quiet', '--json');
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const meta = JSON.parse(readFileSync(path.join(model, 'fewshot.json'), 'utf8'));
    expect(meta).toMatchObject({
      modality: 'video',
      encoder: 'frame-pool',
      inputShape: [4, 16, 16, 1],
      sampleShape: { dims: [4, 16, 16, 1], names: ['time', 'height', 'width', 'channels'] },
      preprocess: { frames: 4, size: 16, sampling: 'uniform' },
    });
    const e = await cli('eval', '--model', model, '--json', '--quiet');
    expect(e.code).toBe(0);
    const report = JSON.parse(e.out);
    expect(report).toMatchObject({ ways: 3, episodes: 30, modelKind: 'siamese' });
    // 3-way: chance is 0.33, the encoder as initialised (optimizer steps skipped) gets 0.84; trained, it gets all 90 trials
    expect(report.accuracy).toBe(1);
    // an explicit --set data.preprocess.* overrides what the model saved (same model on the last frame only)
    const lastOut = path.join(tmp, 'eval-last');
    const l = await cli(
      'eval',
      '--model',
      model,
      '--set',
      'data.preprocess.sampling=last',
      '--out',
      lastOut,
      '--json',
      '--quiet',
    );
    expect(l.code).toBe(0);
    expect(readFileSync(path.join(lastOut, 'config.yaml'), 'utf8')).toMatch(
      /preprocess:\s*\n(\s+\w+: .*\n)*\s+sampling: last/,
    );
    expect(readFileSync(path.join(lastOut, 'config.yaml'), 'utf8')).toMatch(/frames: 4/);
    const files = ['vertical', 'horizontal', 'diagonal'].map((s) => path.join(test, s, `${s}_01.mp4`));
    const c = await cli('classify', '--model', model, '--support', support, ...files, '--json', '--quiet');
    expect(c.code).toBe(0);
    const out = JSON.parse(c.out);
    expect(out.results.map((r: { file: string }) => r.file)).toEqual(files);
    expect(out.results.map((r: { label: string }) => r.label)).toEqual(['vertical', 'horizontal', 'diagonal']);
  }, 120_000);

  it('trains on two data-parallel workers, which load the plugin that defines the frame layers', async () => {
    const model = path.join(tmp, 'model-workers');
    const t = await cli(
      'train',
      experiment('tiny-workers', 'test'),
      '--out',
      model,
      '--set',
      'train.workers=2',
      '--no-eval',
      '--json',
    );
    expect(t.code).toBe(0);
    expect(t.err).toMatch(/data-parallel training on 2 worker threads/);
    expect(existsSync(path.join(model, 'fewshot.json'))).toBe(true);
  }, 120_000);

  it('stops at a corrupt, empty or audio-only clip, naming the file; onBadSample: skip goes on and lists them', async () => {
    const file = experiment('bad', 'bad');
    const config = readFileSync(file, 'utf8');
    const stop = await cli('eval', file, '--baseline', 'last-frame-pixel', '--quiet');
    expect(stop.code).toBe(1);
    expect(stop.err).toMatch(
      /^Data error: (cannot decode video \S+corrupt\.mp4: corrupt or not a video file|video file is empty \(0 bytes\): \S+empty\.mp4|no video stream in \S+audio-only\.mp4 \(an audio-only file\?\))/,
    );
    writeFileSync(file, config.replace('  preprocess:', '  onBadSample: skip\n  preprocess:'));
    const skip = await cli('eval', file, '--baseline', 'last-frame-pixel', '--json');
    expect(skip.code).toBe(0);
    expect(skip.err).toContain('skipped 3 bad sample(s) in data.test:');
    expect(skip.err).toContain(
      `${path.join(bad, 'vertical', 'corrupt.mp4')}: cannot decode video ${path.join(bad, 'vertical', 'corrupt.mp4')}: corrupt or not a video file`,
    );
    expect(skip.err).toContain(`${path.join(bad, 'horizontal', 'empty.mp4')}: video file is empty (0 bytes)`);
    expect(skip.err).toContain(`${path.join(bad, 'diagonal', 'audio-only.mp4')}: no video stream in`);
    const report = JSON.parse(skip.out);
    expect(report.modelKind).toBe('baseline:last-frame-pixel');
    expect(report.accuracy).toBeGreaterThan(0.5); // the three shapes are easy apart on their last frame
  }, 60_000);

  it('says which ffmpeg it looked for when there is none', async () => {
    const missing = path.join(tmp, 'no', 'ffmpeg');
    const saved = process.env['FFMPEG_PATH'];
    process.env['FFMPEG_PATH'] = missing;
    try {
      const r = await cli(
        'eval',
        experiment('noffmpeg', 'test'),
        '--baseline',
        'last-frame-pixel',
        '--no-cache',
        '--quiet',
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain(`Plugin error: ffmpeg not found: FFMPEG_PATH is set to ${missing}, which does not exist`);
      const p = await cli('plugins');
      expect(p.out).toContain(`ffmpeg: ffmpeg not found: FFMPEG_PATH is set to ${missing}`);
    } finally {
      if (saved === undefined) delete process.env['FFMPEG_PATH'];
      else process.env['FFMPEG_PATH'] = saved;
    }
    expect(existsSync(missing)).toBe(false);
  });
});
