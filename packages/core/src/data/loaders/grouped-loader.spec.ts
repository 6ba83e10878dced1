import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError } from '../../errors.js';
import type { DatasetSpec } from '../../modality.js';
import { patternAttrs, suffixAttr } from './file-name-attrs.js';
import { loadGroupedFolders } from './grouped-loader.js';
import type { SampleFileType } from './sample-files.js';

const PNG: SampleFileType = { kind: 'images', extensions: ['.png'] };
let root: string;
const spec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.test',
  path: root,
  layout: 'omniglot',
  options: {},
  ...over,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fewshot-grouped-'));
  const files = [
    'Latin/character02/0610_01.png',
    'Latin/character01/0601_02.png',
    'Latin/character01/0601_01.png',
    'Latin/character01/notes.txt',
    'Latin/character01/deeper/0601_03.png',
    'Latin/stray.png',
    'Greek/character01/0400_07.PNG',
    'Greek/character01/plain.png',
    'Korean/character01/0900_05.png',
    'top.png',
  ];
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
  await mkdir(join(root, 'Empty/character01'), { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadGroupedFolders', () => {
  it('labels samples group/class with their folders as attributes, files only directly in class folders', async () => {
    const set = await loadGroupedFolders(spec(), {
      files: PNG,
      groupAttr: 'alphabet',
      classAttr: 'character',
      attrs: suffixAttr('drawer'),
    });
    expect(set.classes).toEqual(['Greek/character01', 'Korean/character01', 'Latin/character01', 'Latin/character02']);
    expect(set.of('Latin/character01')).toEqual([
      {
        id: 'Latin/character01/0601_01.png',
        path: join(root, 'Latin/character01/0601_01.png'),
        label: 'Latin/character01',
        attrs: { alphabet: 'Latin', character: 'character01', drawer: '01' },
      },
      {
        id: 'Latin/character01/0601_02.png',
        path: join(root, 'Latin/character01/0601_02.png'),
        label: 'Latin/character01',
        attrs: { alphabet: 'Latin', character: 'character01', drawer: '02' },
      },
    ]);
    expect(set.of('Greek/character01').map((s) => s.attrs?.['drawer'])).toEqual(['07', '']);
    expect(Object.keys(set.of('Greek/character01')[0]!.attrs!)).toEqual(['alphabet', 'character', 'drawer']);
  });

  it('defaults its attributes to group and class, and takes more from a file-name pattern', async () => {
    const set = await loadGroupedFolders(spec({ include: ['Korean'] }), {
      files: PNG,
      attrs: patternAttrs(/^(?<char>\d+)_(?<drawer>\d+)\./),
    });
    expect(set.samples.map((s) => s.attrs)).toEqual([
      { group: 'Korean', class: 'character01', char: '0900', drawer: '05' },
    ]);
  });

  it('includes and excludes groups, and names a mistyped one with the closest', async () => {
    expect((await loadGroupedFolders(spec({ exclude: ['Latin', 'Korean'] }), { files: PNG })).classes).toEqual([
      'Greek/character01',
    ]);
    expect((await loadGroupedFolders(spec({ include: ['Korean', 'Latin'] }), { files: PNG })).size).toBe(4);
    const err = await loadGroupedFolders(spec({ exclude: ['Latn'] }), { files: PNG, groupWord: 'alphabet' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("data.test.exclude: unknown alphabet 'Latn' (did you mean 'Latin'?)");
  });

  it('leaves out classes below minSamples', async () => {
    expect((await loadGroupedFolders(spec(), { files: PNG, minSamples: 2 })).classes).toEqual([
      'Greek/character01',
      'Latin/character01',
    ]);
  });

  it('reports a root without samples, with the layout expected and what the folder holds', async () => {
    const err = (await loadGroupedFolders(spec({ include: ['Empty'] }), {
      files: PNG,
      expected: '<root>/<Alphabet>/characterNN/<id>_<drawer>.png',
    }).catch((e: unknown) => e)) as DataError;
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe(`no images found in ${root} (from data.test.path, layout 'omniglot')`);
    expect(err.hints).toEqual([
      'expected <root>/<Alphabet>/characterNN/<id>_<drawer>.png (extensions .png)',
      'the folder holds: Empty/, Greek/, Korean/, Latin/, top.png',
    ]);
    const plain = (await loadGroupedFolders(spec({ path: join(root, 'Empty') }), { files: PNG }).catch(
      (e: unknown) => e,
    )) as DataError;
    expect(plain.hints[0]).toBe('expected <root>/<group>/<class>/<images> (extensions .png)');
    await expect(loadGroupedFolders(spec({ path: join(root, 'none') }), { files: PNG })).rejects.toThrow(
      `data folder not found: ${join(root, 'none')} (from data.test.path)`,
    );
  });
});
