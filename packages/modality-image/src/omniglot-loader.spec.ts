import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError, type DatasetSpec } from '@fewshot/core/plugin';
import { loadOmniglot } from './omniglot-loader.js';

let root: string;
const spec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.train',
  path: root,
  layout: 'omniglot',
  options: {},
  ...over,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fewshot-omniglot-'));
  // The loader only lists files; their contents do not matter here.
  const files = [
    'Greek/character02/0395_01.png',
    'Greek/character01/0394_17.png',
    'Greek/character01/0394_02.png',
    'Latin/character01/0709_05.png',
    'Latin/character01/0709_11.png',
    'Old_Norse/character01/1000_01.png',
    'Greek/character01/notes.txt',
    'Greek/.DS_Store',
    'README.md',
  ];
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
  await mkdir(join(root, 'Latin/character02')); // empty character: no class
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadOmniglot', () => {
  it('finds Alphabet/characterNN classes in sorted order with attrs', async () => {
    const set = await loadOmniglot(spec());
    expect(set.classes).toEqual([
      'Greek/character01',
      'Greek/character02',
      'Latin/character01',
      'Old_Norse/character01',
    ]);
    expect(set.size).toBe(6);
    expect(set.of('Greek/character01').map((s) => s.id)).toEqual([
      'Greek/character01/0394_02.png',
      'Greek/character01/0394_17.png',
    ]);
    const s = set.of('Greek/character01')[1];
    expect(s).toEqual({
      id: 'Greek/character01/0394_17.png',
      path: join(root, 'Greek/character01/0394_17.png'),
      label: 'Greek/character01',
      attrs: { alphabet: 'Greek', character: 'character01', drawer: '17' },
    });
  });

  it('filters alphabets with include and exclude', async () => {
    expect((await loadOmniglot(spec({ include: ['Latin'] }))).classes).toEqual(['Latin/character01']);
    expect((await loadOmniglot(spec({ exclude: ['Greek', 'Latin'] }))).classes).toEqual(['Old_Norse/character01']);
    expect((await loadOmniglot(spec({ include: ['Greek', 'Latin'], exclude: ['Latin'] }))).size).toBe(3);
  });

  it('names an unknown alphabet, the list it came from and the closest existing name', async () => {
    const err = await loadOmniglot(spec({ include: ['Greek', 'Grek'] })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("data.train.include: unknown alphabet 'Grek' (did you mean 'Greek'?)");
    expect((err as ConfigError).hints.join('\n')).toContain('Greek, Latin, Old_Norse');
    await expect(loadOmniglot(spec({ name: 'data.test', exclude: ['Old Norse'] }))).rejects.toThrow(
      "data.test.exclude: unknown alphabet 'Old Norse' (did you mean 'Old_Norse'?)",
    );
  });

  it('reports a missing root, an empty root and unknown options', async () => {
    const missing = join(root, 'nope');
    const err = await loadOmniglot(spec({ path: missing })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(`data folder not found: ${missing} (from data.train.path)`);
    expect((err as DataError).hints.join('\n')).toContain('FEWSHOT_DATA');
    const empty = join(root, 'Latin/character02');
    await expect(loadOmniglot(spec({ path: empty }))).rejects.toThrow(`no images found in ${empty}`);
    await expect(loadOmniglot(spec({ options: { depth: 2 } }))).rejects.toThrow(ConfigError);
  });
});
