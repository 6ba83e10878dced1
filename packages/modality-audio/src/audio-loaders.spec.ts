import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError, type DatasetSpec } from '@fewshot/core/plugin';
import { loadAudioFolder } from './folder-loader.js';
import { loadPattern } from './pattern-loader.js';

let root: string;
let flat: string;
const folder = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.train',
  path: root,
  layout: 'folder',
  options: {},
  ...over,
});
const pattern = (options: Record<string, unknown>, over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.test',
  path: flat,
  layout: 'pattern',
  options,
  ...over,
});
const FSDD = '^(?<digit>\\d)_(?<speaker>[a-z]+)_(?<take>\\d+)\\.wav$';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fewshot-audio-folder-'));
  flat = await mkdtemp(join(tmpdir(), 'fewshot-audio-pattern-'));
  const files = [
    'zoom in/00000001_NO_01.wav',
    'zoom in/00000002_NO_01.wav',
    'zoom in/notes.txt',
    'yes/00000001_NO_01.WAV',
    'yes/00000002_NO_01.wav',
    'yes/more/00000003_NO_01.wav',
    'no/00000003_NO_01.wav',
    'top-level.wav',
  ];
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
  for (const d of ['0', '1', '7'])
    for (const s of ['george', 'lucas'])
      for (const t of ['0', '1', '12']) await writeFile(join(flat, `${d}_${s}_${t}.wav`), '');
  await writeFile(join(flat, 'README.wav'), '');
  await writeFile(join(flat, '0_george_0.txt'), '');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(flat, { recursive: true, force: true });
});

describe('folder layout', () => {
  it('takes each folder as a class (spaces allowed), WAVs at any depth, the speaker from the file name', async () => {
    const set = await loadAudioFolder(folder());
    expect(set.classes).toEqual(['no', 'yes', 'zoom in']);
    expect(set.of('zoom in').map((s) => s.id)).toEqual(['zoom in/00000001_NO_01.wav', 'zoom in/00000002_NO_01.wav']);
    expect(set.of('yes').map((s) => s.attrs?.['speaker'])).toEqual(['00000001', '00000002', '00000003']);
    expect(set.of('yes')[2]!.path).toBe(join(root, 'yes/more/00000003_NO_01.wav'));
  });

  it('filters classes and speakers; a YAML number matches an all-digit speaker', async () => {
    expect((await loadAudioFolder(folder({ include: ['zoom in', 'no'] }))).classes).toEqual(['no', 'zoom in']);
    const bySpeaker = await loadAudioFolder(folder({ options: { speakers: ['00000001', 3] } }));
    expect(bySpeaker.samples.map((s) => s.id)).toEqual([
      'no/00000003_NO_01.wav',
      'yes/00000001_NO_01.WAV',
      'yes/more/00000003_NO_01.wav',
      'zoom in/00000001_NO_01.wav',
    ]);
    const without = await loadAudioFolder(folder({ options: { excludeSpeakers: ['00000001', '00000002'] } }));
    expect(without.size).toBe(2);
    expect(without.samples.every((s) => s.attrs?.['speaker'] === '00000003')).toBe(true);
  });

  it('takes other attributes from its file pattern', async () => {
    const set = await loadAudioFolder(folder({ options: { filePattern: '^(?<speaker>\\d+)_NO_(?<take>\\d+)' } }));
    expect(set.samples[0]!.attrs).toEqual({ speaker: '00000003', take: '01' });
    const takes = await loadAudioFolder(
      folder({ options: { filePattern: '^(?<speaker>\\d+)_NO_(?<take>\\d+)', where: { take: [1] } } }),
    );
    expect(takes.size).toBe(6);
  });

  it('reports typos, bad patterns and empty selections', async () => {
    await expect(loadAudioFolder(folder({ include: ['zoom-in'] }))).rejects.toThrow(
      "data.train.include: unknown class 'zoom-in' (did you mean 'zoom in'?)",
    );
    await expect(loadAudioFolder(folder({ options: { speakers: ['00000004'] } }))).rejects.toThrow(
      /data\.train\.options\.speakers: unknown speaker '00000004'/,
    );
    await expect(loadAudioFolder(folder({ options: { filePattern: '(' } }))).rejects.toThrow(ConfigError);
    await expect(loadAudioFolder(folder({ options: { speeker: [] } }))).rejects.toThrow(/data\.train\.options/);
    await expect(loadAudioFolder(folder({ options: { where: { gender: ['f'] } } }))).rejects.toThrow('no sample in');
    await expect(loadAudioFolder(folder({ path: join(root, 'nowhere') }))).rejects.toThrow(DataError);
    const err = await loadAudioFolder(folder({ path: join(root, 'zoom in') })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain('no audio files found');
  });
});

describe('pattern layout', () => {
  it('labels by a named group, keeps every group as an attribute, skips files that do not match', async () => {
    const set = await loadPattern(pattern({ regex: FSDD, label: '{digit}' }));
    expect(set.classes).toEqual(['0', '1', '7']);
    expect(set.size).toBe(18);
    expect(set.of('7')[0]).toMatchObject({
      id: '7_george_0.wav',
      path: join(flat, '7_george_0.wav'),
      label: '7',
      attrs: { digit: '7', speaker: 'george', take: '0' },
    });
  });

  it('labels by a combination of groups, or by the speaker', async () => {
    const combo = await loadPattern(pattern({ regex: FSDD, label: '{digit}-{speaker}' }));
    expect(combo.classes).toEqual(['0-george', '0-lucas', '1-george', '1-lucas', '7-george', '7-lucas']);
    const speakers = await loadPattern(pattern({ regex: FSDD, label: '{speaker}' }));
    expect(speakers.classes).toEqual(['george', 'lucas']);
  });

  it('splits by class lists, speakers and attribute values', async () => {
    expect((await loadPattern(pattern({ regex: FSDD, label: '{digit}' }, { exclude: ['7'] }))).classes).toEqual([
      '0',
      '1',
    ]);
    const lucas = await loadPattern(pattern({ regex: FSDD, label: '{digit}', speakers: ['lucas'] }));
    expect(new Set(lucas.samples.map((s) => s.attrs?.['speaker']))).toEqual(new Set(['lucas']));
    const early = await loadPattern(pattern({ regex: FSDD, label: '{digit}', where: { take: [0, 1] } }));
    expect(early.size).toBe(12);
    const late = await loadPattern(pattern({ regex: FSDD, label: '{digit}', whereNot: { take: [0, 1] } }));
    expect(late.samples.every((s) => s.attrs?.['take'] === '12')).toBe(true);
  });

  it('reports bad options clearly', async () => {
    await expect(loadPattern(pattern({ regex: '^(\\d)_' }))).rejects.toThrow(
      'data.test.options.regex: has no named groups',
    );
    await expect(loadPattern(pattern({ regex: FSDD, label: '{digits}' }))).rejects.toThrow(
      "data.test.options.label: '{digits}' is not a named group of the regex",
    );
    await expect(loadPattern(pattern({ regex: FSDD, label: 'digit' }))).rejects.toThrow(/names no group/);
    await expect(loadPattern(pattern({ label: '{digit}' }))).rejects.toThrow(/data\.test\.options\.regex/);
    await expect(loadPattern(pattern({ regex: FSDD, label: '{digit}', speakers: ['georg'] }))).rejects.toThrow(
      "unknown speaker 'georg' (did you mean 'george'?)",
    );
    const none = (await loadPattern(pattern({ regex: '^(?<x>zzz)', label: '{x}' })).catch((e: unknown) => e)) as Error;
    expect(none).toBeInstanceOf(DataError);
    expect(none.message).toContain('no audio files found');
    expect((none as DataError).hints.join('\n')).toContain('none of its 19 audio files matches');
  });
});
