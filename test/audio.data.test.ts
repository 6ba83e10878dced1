// Real-data test of the audio plugin: Arabic Speech Commands and FSDD from the shared data folder.
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AudioModality, readWav } from '@fewshot/modality-audio';
import { REPO_ROOT, SHARED_DATA, requireData } from './shared-data.js';
import { cli } from './run-cli-capture.js';

const ARABIC = path.join(SHARED_DATA, 'arabic-speech-commands/dataset');
const FSDD = path.join(SHARED_DATA, 'fsdd/recordings');
const FSDD_REGEX = '^(?<digit>\\d)_(?<speaker>[a-z]+)_(?<take>\\d+)\\.wav$';
const modality = new AudioModality();
/** Correct answers required of the shipped model on the 15 queries below (it gets 7; chance is 1). */
const MIN_CORRECT = 6;

describe('Arabic Speech Commands', () => {
  it('loads 40 keywords x 30 speakers as class folders (two with spaces), speakers from the file names', async () => {
    const set = await modality.load({ name: 'data.train', path: requireData(ARABIC), layout: 'folder', options: {} });
    expect(set.classes.length).toBe(40);
    expect(set.size).toBe(1200);
    expect(set.classes).toEqual(expect.arrayContaining(['zoom in', 'zoom out']));
    expect(new Set(set.samples.map((s) => s.attrs?.['speaker'])).size).toBe(30);
    expect(set.classes.every((c) => set.of(c).length === 30)).toBe(true);
    // the publisher's 6 validation speakers
    const val = await modality.load({
      name: 'data.validation',
      path: ARABIC,
      layout: 'folder',
      options: { speakers: ['00000002', '00000007', '00000008', '00000012', '00000021', '00000025'] },
    });
    expect(val.size).toBe(240);
  });

  it('reads its WAVs (16 kHz mono 16-bit, 1 s) and decodes them to 98 x 13 MFCC maps', async () => {
    const file = path.join(requireData(ARABIC), 'zoom in', '00000001_NO_01.wav');
    const wav = readWav(file);
    expect(wav).toMatchObject({ sampleRate: 16000, channels: 1, encoding: 'pcm16' });
    expect(wav.samples.length).toBe(16000);
    const x = await modality.decode({ id: file, path: file, label: 'zoom in' }, modality.preprocessSchema.parse({}));
    expect(x.length).toBe(98 * 13);
    expect(x.every(Number.isFinite)).toBe(true);
  });
});

describe('FSDD', () => {
  it('loads <digit>_<speaker>_<take>.wav by pattern: 10 digits, 6 speakers, 50 takes', async () => {
    const set = await modality.load({
      name: 'data.train',
      path: requireData(FSDD),
      layout: 'pattern',
      options: { regex: FSDD_REGEX, label: '{digit}' },
    });
    expect(set.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(set.size).toBe(3000);
    expect(new Set(set.samples.map((s) => s.attrs?.['speaker'])).size).toBe(6);
    const test = await modality.load({
      name: 'data.test',
      path: FSDD,
      layout: 'pattern',
      options: { regex: FSDD_REGEX, label: '{digit}', speakers: ['george', 'lucas'] },
    });
    expect(test.size).toBe(1000);
  });

  it('decodes 8 kHz clips of any length to the configured rate and duration', async () => {
    const pre = modality.preprocessSchema.parse({ sampleRate: 16000, duration: 1, trimDb: 30 });
    for (const name of ['0_george_0.wav', '7_jackson_32.wav']) {
      const file = path.join(requireData(FSDD), name);
      expect(readWav(file).sampleRate).toBe(8000);
      const x = await modality.decode({ id: name, path: file, label: name.split('_')[0]! }, pre);
      expect(x.length).toBe(98 * 13);
      expect(x.every(Number.isFinite)).toBe(true);
    }
  });
});

const SHIPPED = path.join(REPO_ROOT, 'models/arabic-commands');
const TEST_KEYWORDS = [
  'close',
  'direction',
  'disable',
  'enable',
  'enter',
  'next',
  'no',
  'open',
  'right',
  'rotate',
  'seven',
  'start',
  'undo',
  'up',
  'yes',
];
describe('the shipped Arabic keyword model', () => {
  it('classifies real recordings of unseen keywords from one example each, by another speaker', async () => {
    if (!existsSync(path.join(SHIPPED, 'fewshot.json'))) throw new Error(`shipped model not found: ${SHIPPED}`);
    // support: speaker 00000001's recording of each test keyword (symlinked); queries: speaker 00000003's
    const support = mkdtempSync(path.join(os.tmpdir(), 'fewshot-audio-support-'));
    try {
      for (const k of TEST_KEYWORDS) {
        mkdirSync(path.join(support, k));
        symlinkSync(path.join(requireData(ARABIC), k, '00000001_NO_01.wav'), path.join(support, k, 'example.wav'));
      }
      const queries = TEST_KEYWORDS.map((k) => path.join(ARABIC, k, '00000003_NO_01.wav'));
      const r = await cli('classify', '--model', SHIPPED, '--support', support, ...queries, '--json', '--quiet');
      expect(r.code).toBe(0);
      const results = JSON.parse(r.out).results as { file: string; label: string }[];
      expect(results.map((x) => x.file)).toEqual(queries);
      const correct = results.filter((x, i) => x.label === TEST_KEYWORDS[i]).length;
      expect(correct).toBeGreaterThanOrEqual(MIN_CORRECT); // chance: 1 of 15
    } finally {
      rmSync(support, { recursive: true, force: true });
    }
  });
});
