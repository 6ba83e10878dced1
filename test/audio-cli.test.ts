// The audio plugin through the CLI, on a tiny synthetic spoken-keyword data set written here: every
// "keyword" is a sequence of three tones, every "speaker" shifts the pitch, every take adds noise.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '@fewshot/core';
import { encodeWav } from '@fewshot/modality-audio';
import { cli } from './run-cli-capture.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-audio-cli-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const RATE = 8000;
const KEYWORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'fox trot', 'golf', 'hotel', 'india', 'juliett'];
const SPEAKERS = ['00000001', '00000002', '00000003'];

/** One utterance: three 0.08 s tones (a keyword's melody, scaled by the speaker's pitch) in 0.3 s, plus noise. */
function utterance(k: number, s: number, take: number, rate = RATE): Float32Array {
  const rng = new Rng(1000 * k + 10 * s + take);
  const melody = [300 + 90 * k, 700 + 55 * ((k * 7) % 10), 1200 + 80 * ((k * 3) % 10)];
  const pitch = [0.97, 1, 1.03][s]!;
  const x = new Float32Array(Math.round(0.3 * rate));
  const start = Math.round((0.02 + 0.01 * take) * rate);
  const seg = Math.round(0.08 * rate);
  let phase = 0;
  for (let i = 0; i < 3 * seg; i++) {
    phase += (2 * Math.PI * melody[Math.floor(i / seg)]! * pitch) / rate;
    if (start + i < x.length) x[start + i] = 0.4 * Math.sin(phase);
  }
  for (let i = 0; i < x.length; i++) x[i]! += 0.01 * rng.normal();
  return x;
}

const data = path.join(tmp, 'keywords');
for (const [k, word] of KEYWORDS.entries()) {
  mkdirSync(path.join(data, word), { recursive: true });
  for (const [s, speaker] of SPEAKERS.entries()) {
    for (const take of [1, 2])
      writeFileSync(
        path.join(data, word, `${speaker}_NO_0${take}.wav`),
        encodeWav([utterance(k, s, take)], RATE, 'pcm16'),
      );
  }
}
// a support folder of two classes and a query recorded differently (44.1 kHz stereo float)
const support = path.join(tmp, 'support');
for (const [k, word] of [
  [0, 'alpha'],
  [6, 'golf'],
] as const) {
  mkdirSync(path.join(support, word), { recursive: true });
  writeFileSync(path.join(support, word, 'ref.wav'), encodeWav([utterance(k, 0, 1)], RATE, 'pcm16'));
}
const query = path.join(tmp, 'query.wav');
const q44 = utterance(6, 2, 2, 44100);
writeFileSync(query, encodeWav([q44, q44], 44100, 'float32'));

const TEST = "[golf, hotel, india, juliett, 'fox trot']";
function experiment(name: string, extra = ''): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seed: 3
backend: wasm
modality: audio
data:
  root: ${data}
  layout: folder
  preprocess: { sampleRate: ${RATE}, duration: 0.3 }
  train: { path: ., exclude: ${TEST} }
  test: { path: ., include: ${TEST} }
model: { encoder: audio-conv2d, encoderOptions: { filters: 4, blocks: 3 }, head: contrastive }
train:
  objective: prototypes
  episode: { ways: 5, shots: 1, queries: 2 }
  epochs: 3
  stepsPerEpoch: 10
  learningRate: 0.01
eval: { ways: 5, shots: 1, queries: 1, episodes: 30, across: speaker }
${extra}`,
  );
  return file;
}

describe('audio plugin through the CLI', () => {
  it('lists the audio modality, its encoders and baselines with library versions', async () => {
    const r = await cli('plugins', '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const audio = report.modalities.find((m: { id: string }) => m.id === 'audio');
    expect(audio.layouts).toEqual(['folder', 'pattern']);
    expect(audio.info.features).toMatch(/^meyda /);
    const ids = (list: { id: string }[]): string[] => list.map((x) => x.id);
    expect(ids(report.encoders)).toEqual(expect.arrayContaining(['audio-conv2d', 'audio-conv1d']));
    expect(ids(report.baselines)).toEqual(expect.arrayContaining(['dtw', 'mfcc-mean']));
  });

  it('evaluates the DTW and MFCC-mean baselines on unseen keywords, support and query from different speakers', async () => {
    const dtw = await cli('eval', experiment('dtw'), '--baseline', 'dtw', '--json', '--quiet');
    expect(dtw.code).toBe(0);
    const report = JSON.parse(dtw.out);
    expect(report.modelKind).toBe('baseline:dtw');
    expect(report.episodes).toBe(30);
    expect(report.accuracy).toBeGreaterThan(0.8); // clean tone melodies: template matching works
    const mean = await cli(
      'eval',
      experiment('mean'),
      '--baseline',
      'mfcc-mean',
      '--json',
      '--quiet',
      '--set',
      'data.preprocess.normalize=none',
    );
    expect(mean.code).toBe(0);
    expect(JSON.parse(mean.out).accuracy).toBeGreaterThan(0.2);
    const refused = await cli('eval', experiment('mean2'), '--baseline', 'mfcc-mean', '--quiet');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('mean over the frames is 0');
  });

  it('trains an audio Siamese model, evaluates it and classifies a WAV recorded at another rate', async () => {
    const out = path.join(tmp, 'model');
    const t = await cli('train', experiment('train'), '--out', out, '--json', '--quiet');
    expect(t.code).toBe(0);
    const summary = JSON.parse(t.out);
    expect(summary.eval.ways).toBe(5);
    // 5-way, unseen keywords, support and query by different speakers: chance is 0.2, the encoder as
    // initialised (optimizer steps skipped) gets 0.55 to 0.63, this run 0.73 (109 of 150 trials)
    expect(summary.eval.accuracy).toBeGreaterThan(0.68);
    const c = await cli(
      'classify',
      '--model',
      out,
      '--support',
      support,
      query,
      '--json',
      '--quiet',
      '--backend',
      'wasm',
    );
    expect(c.code).toBe(0);
    const result = JSON.parse(c.out).results[0];
    expect(result.file).toBe(query);
    // the query is 'golf' said by another speaker, recorded at 44.1 kHz in stereo float
    expect(result.label).toBe('golf');
    expect(result.ranking.map((r: { label: string }) => r.label)).toEqual(['golf', 'alpha']);
    expect(result.ranking[0].score).toBeGreaterThan(result.ranking[1].score);
  });

  it('names a bad file, or skips and lists it with onBadSample: skip', async () => {
    const bad = path.join(data, 'golf', '00000009_NO_01.wav');
    writeFileSync(bad, encodeWav([utterance(6, 0, 1)], RATE, 'pcm16').subarray(0, 300));
    try {
      const failed = await cli('eval', experiment('bad'), '--baseline', 'dtw', '--quiet', '--no-cache');
      expect(failed.code).toBe(1);
      expect(failed.err).toContain(`cannot decode ${bad}: truncated WAV data`);
      const skipped = await cli(
        'eval',
        experiment('skip'),
        '--baseline',
        'dtw',
        '--no-cache',
        '--set',
        'data.onBadSample=skip',
      );
      expect(skipped.code).toBe(0);
      expect(skipped.err).toContain('skipped 1 bad sample(s)');
      expect(skipped.err).toContain(bad);
    } finally {
      rmSync(bad);
    }
  });
});
