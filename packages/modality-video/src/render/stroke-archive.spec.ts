import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@fewshot/core/plugin';
import { storeZip } from '../test-support.js';
import { readStrokeArchives, strokePathParts } from './stroke-archive.js';

const A = 'START\n1,-1,0\n2,-2,20\nBREAK\n';
const B = 'START\n5,-5,0\nBREAK\n';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-strokes-'));
  await mkdir(join(dir, 'zips'));
  // as published: a top folder, macOS junk entries, folder entries
  await writeFile(
    join(dir, 'zips', 'strokes_background_small1.zip'),
    storeZip([
      { name: 'strokes_background_small1/', data: '' },
      { name: 'strokes_background_small1/.DS_Store', data: 'junk' },
      { name: '__MACOSX/strokes_background_small1/Latin/character01/._0683_01.txt', data: 'junk' },
      { name: 'strokes_background_small1/Latin/character01/0683_01.txt', data: A },
      { name: 'strokes_background_small1/Latin/character01/0683_02.txt', data: B },
    ]),
  );
  await writeFile(
    join(dir, 'zips', 'strokes_background_small2.zip'),
    storeZip([
      { name: 'strokes_background_small2/Latin/character01/0683_01.txt', data: A }, // the same drawing again
      { name: 'strokes_background_small2/Tagalog/character03/1000_07.txt', data: B },
    ]),
  );
  await writeFile(join(dir, 'clash.zip'), storeZip([{ name: 'x/Latin/character01/0683_01.txt', data: B }]));
  await mkdir(join(dir, 'extracted', 'strokes_evaluation', 'Atlantean', 'character02'), { recursive: true });
  await writeFile(join(dir, 'extracted', 'strokes_evaluation', 'Atlantean', 'character02', '0010_03.txt'), A);
  await writeFile(join(dir, 'not-a-zip.zip'), 'hello');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('strokePathParts', () => {
  it('takes <Alphabet>/characterNN/<id>_<drawer>.txt and ignores junk', () => {
    expect(strokePathParts('strokes_background/Japanese_(katakana)/character12/0900_05.txt')).toEqual({
      alphabet: 'Japanese_(katakana)',
      character: 'character12',
      name: '0900_05',
    });
    expect(strokePathParts('__MACOSX/strokes_background/Latin/character01/._0683_01.txt')).toBeUndefined();
    expect(strokePathParts('strokes_background/Latin/.DS_Store')).toBeUndefined();
    expect(strokePathParts('strokes_background/Latin/character01/')).toBeUndefined();
  });
});

describe('readStrokeArchives', () => {
  it('reads zips as published, a folder of zips, keeping a drawing found twice once', async () => {
    const files = await readStrokeArchives([join(dir, 'zips')]);
    expect(files.map((f) => `${f.alphabet}/${f.character}/${f.name}`)).toEqual([
      'Latin/character01/0683_01',
      'Latin/character01/0683_02',
      'Tagalog/character03/1000_07',
    ]);
    expect(files[0]!.text).toBe(A);
    expect(files[0]!.source).toBe(
      `${join(dir, 'zips', 'strokes_background_small1.zip')}:strokes_background_small1/Latin/character01/0683_01.txt`,
    );
    const one = await readStrokeArchives([join(dir, 'zips', 'strokes_background_small2.zip')]);
    expect(one).toHaveLength(2);
  });

  it('reads a folder of extracted stroke files', async () => {
    const files = await readStrokeArchives([join(dir, 'extracted')]);
    expect(files.map((f) => [f.alphabet, f.character, f.name])).toEqual([['Atlantean', 'character02', '0010_03']]);
  });

  it('fails with DataErrors naming the input', async () => {
    await expect(readStrokeArchives([join(dir, 'zips'), join(dir, 'clash.zip')])).rejects.toThrow(
      /two different stroke files for Latin\/character01\/0683_01/,
    );
    await expect(readStrokeArchives([join(dir, 'missing.zip')])).rejects.toThrow(
      `stroke archive not found: ${join(dir, 'missing.zip')}`,
    );
    await expect(readStrokeArchives([join(dir, 'not-a-zip.zip')])).rejects.toThrow(DataError);
    await expect(readStrokeArchives([join(dir, 'not-a-zip.zip')])).rejects.toThrow(
      `cannot read ${join(dir, 'not-a-zip.zip')} as a zip archive`,
    );
    await mkdir(join(dir, 'nothing'), { recursive: true });
    await expect(readStrokeArchives([join(dir, 'nothing')])).rejects.toThrow(/no Omniglot stroke files found/);
  });
});
