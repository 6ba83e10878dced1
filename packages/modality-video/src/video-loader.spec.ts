import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError, nameSuffix } from '@fewshot/core/plugin';
import { loadVideoFolder, loadVideoOmniglot } from './video-loader.js';

let root: string;
const spec = (path: string, layout: string, extra: Record<string, unknown> = {}) => ({
  name: 'data.train',
  path,
  layout,
  options: {},
  ...extra,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fewshot-video-loader-'));
  const files = [
    'Greek/character01/0001_01.mp4',
    'Greek/character01/0001_02.MP4',
    'Greek/character02/0002_01.webm',
    'Latin/character01/0100_03.avi',
    'Latin/character01/notes.txt',
    'Latin/character02/0101_04.mov',
    'Latin/character02/deeper/clip.mkv',
    'top-level.mp4',
    '.hidden/character01/x.mp4',
  ];
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
  await mkdir(join(root, 'Empty', 'nothing'), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadVideoFolder', () => {
  it('makes every folder that holds clips a class, at any depth, with the video extensions only', async () => {
    const set = await loadVideoFolder(spec(root, 'folder'));
    expect(set.classes).toEqual([
      'Greek/character01',
      'Greek/character02',
      'Latin/character01',
      'Latin/character02',
      'Latin/character02/deeper',
    ]);
    expect(set.size).toBe(6);
    expect(set.of('Greek/character01').map((s) => s.id)).toEqual([
      'Greek/character01/0001_01.mp4',
      'Greek/character01/0001_02.MP4',
    ]);
    expect(set.of('Latin/character02/deeper')[0]!.path).toBe(join(root, 'Latin/character02/deeper/clip.mkv'));
    expect(set.of('Latin/character01')[0]!.attrs).toEqual({ group: 'Latin' });
  });

  it('takes an attribute from file names with nameAttr, and filters by include / exclude', async () => {
    const set = await loadVideoFolder(spec(root, 'folder', { include: ['Greek'], options: { nameAttr: 'drawer' } }));
    expect(set.classes).toEqual(['Greek/character01', 'Greek/character02']);
    expect(set.samples.map((s) => s.attrs?.['drawer'])).toEqual(['01', '02', '01']);
    const noLatin2 = await loadVideoFolder(spec(root, 'folder', { exclude: ['Latin/character02'] }));
    expect(noLatin2.classes).toEqual(['Greek/character01', 'Greek/character02', 'Latin/character01']);
  });

  it('fails with typed errors naming the problem', async () => {
    await expect(loadVideoFolder(spec(root, 'folder', { include: ['Greke'] }))).rejects.toThrow(
      "data.train.include: unknown class 'Greke' (did you mean 'Greek/character01'?)",
    );
    await expect(loadVideoFolder(spec(join(root, 'Empty'), 'folder'))).rejects.toThrow(DataError);
    await expect(loadVideoFolder(spec(join(root, 'Empty'), 'folder'))).rejects.toThrow(
      /no video files found in .*Empty/,
    );
    await expect(loadVideoFolder(spec(join(root, 'missing'), 'folder'))).rejects.toThrow(
      /data folder not found: .*missing \(from data\.train\.path\)/,
    );
    await expect(loadVideoFolder(spec(root, 'folder', { options: { depth: 2 } }))).rejects.toThrow(ConfigError);
  });
});

describe('loadVideoOmniglot', () => {
  it('reads <Alphabet>/characterNN/<id>_<drawer> clips with alphabet, character and drawer attributes', async () => {
    const set = await loadVideoOmniglot(spec(root, 'omniglot', { exclude: ['Empty'] }));
    expect(set.classes).toEqual(['Greek/character01', 'Greek/character02', 'Latin/character01', 'Latin/character02']);
    expect(set.of('Latin/character01')[0]!.attrs).toEqual({
      alphabet: 'Latin',
      character: 'character01',
      drawer: '03',
    });
    const greek = await loadVideoOmniglot(spec(root, 'omniglot', { include: ['Greek'] }));
    expect(greek.size).toBe(3);
    await expect(loadVideoOmniglot(spec(root, 'omniglot', { include: ['Latn'] }))).rejects.toThrow(
      "unknown alphabet 'Latn' (did you mean 'Latin'?)",
    );
  });

  it('nameSuffix takes the part after the last underscore', () => {
    expect(nameSuffix('0683_17.mp4')).toBe('17');
    expect(nameSuffix('a_b_c.webm')).toBe('c');
    expect(nameSuffix('plain.mp4')).toBe('');
  });
});
