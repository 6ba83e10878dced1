import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError } from '../../errors.js';
import type { DatasetSpec } from '../../modality.js';
import { loadClassFolders } from './class-folder-loader.js';
import { patternAttrs } from './file-name-attrs.js';
import type { SampleFileType } from './sample-files.js';

const PNG: SampleFileType = { kind: 'images', extensions: ['.png', '.jpg'], placeholder: '<image files>' };
let root: string;
const spec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.train',
  path: root,
  layout: 'folder',
  options: {},
  ...over,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fewshot-class-folders-'));
  const files = [
    'cats/siamese/b_02.png',
    'cats/siamese/a_01.PNG',
    'cats/siamese/.hidden.png',
    'cats/tabby/c_01.jpg',
    'cats/tabby/more/d_03.png',
    'cats/tabby/notes.txt',
    'cats/e_04.png',
    'dogs/pug/f_01.png',
    'dogs/g_02.png',
    'top.png',
    'birds/readme.txt',
  ];
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadClassFolders', () => {
  it('takes each top folder as a class at depth 1, with sample files at any depth below it', async () => {
    const set = await loadClassFolders(spec(), { files: PNG, depth: 1 });
    expect(set.classes).toEqual(['cats', 'dogs']);
    expect(set.of('cats').map((s) => s.id)).toEqual([
      'cats/e_04.png',
      'cats/siamese/a_01.PNG',
      'cats/siamese/b_02.png',
      'cats/tabby/c_01.jpg',
      'cats/tabby/more/d_03.png',
    ]);
    expect(set.of('dogs')[0]).toEqual({ id: 'dogs/g_02.png', path: join(root, 'dogs/g_02.png'), label: 'dogs' });
  });

  it('names classes by deeper folders with depth, leaving out files above the class level', async () => {
    const set = await loadClassFolders(spec(), { files: PNG, depth: 2 });
    expect(set.classes).toEqual(['cats/siamese', 'cats/tabby', 'dogs/pug']);
    expect(set.of('cats/tabby').map((s) => s.path)).toEqual([
      join(root, 'cats/tabby/c_01.jpg'),
      join(root, 'cats/tabby/more/d_03.png'),
    ]);
  });

  it('without depth, makes every folder that holds sample files a class, at any depth', async () => {
    const set = await loadClassFolders(spec(), { files: PNG });
    expect(set.classes).toEqual(['cats', 'cats/siamese', 'cats/tabby', 'cats/tabby/more', 'dogs', 'dogs/pug']);
    expect(set.of('cats/tabby').map((s) => s.id)).toEqual(['cats/tabby/c_01.jpg']);
    expect(set.size).toBe(7);
  });

  it('applies include and exclude to class folders or folders above them, with a did-you-mean for typos', async () => {
    expect((await loadClassFolders(spec({ exclude: ['cats'] }), { files: PNG, depth: 1 })).classes).toEqual(['dogs']);
    expect((await loadClassFolders(spec({ include: ['cats'] }), { files: PNG, depth: 2 })).classes).toEqual([
      'cats/siamese',
      'cats/tabby',
    ]);
    expect((await loadClassFolders(spec({ exclude: ['cats/tabby', 'dogs'] }), { files: PNG })).classes).toEqual([
      'cats',
      'cats/siamese',
    ]);
    const err = await loadClassFolders(spec({ include: ['cats/tabbi'] }), { files: PNG, depth: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe("data.train.include: unknown class 'cats/tabbi' (did you mean 'cats/tabby'?)");
    expect((err as ConfigError).hints).toEqual([`${root} has 3 classes: cats/siamese, cats/tabby, dogs/pug`]);
  });

  it('labels classes and gives attributes through its callbacks', async () => {
    const set = await loadClassFolders(spec(), {
      files: PNG,
      depth: 2,
      label: (folder) => folder.replace('/', ':'),
      attrs: (name, folder) => ({ ...patternAttrs(/_(?<take>\d+)\./)(name), top: folder.split('/')[0]! }),
    });
    expect(set.classes).toEqual(['cats:siamese', 'cats:tabby', 'dogs:pug']);
    expect(set.of('cats:tabby')[1]).toEqual({
      id: 'cats/tabby/more/d_03.png',
      path: join(root, 'cats/tabby/more/d_03.png'),
      label: 'cats:tabby',
      attrs: { take: '03', top: 'cats' },
    });
  });

  it('filters samples and leaves out classes below minSamples', async () => {
    const filtered = await loadClassFolders(spec(), {
      files: PNG,
      depth: 2,
      filter: { what: 'test filters', apply: (s) => s.filter((x) => !x.id.includes('a_01')) },
    });
    expect(filtered.of('cats/siamese').map((s) => s.id)).toEqual(['cats/siamese/b_02.png']);
    const big = await loadClassFolders(spec(), { files: PNG, depth: 2, minSamples: 2 });
    expect(big.classes).toEqual(['cats/siamese', 'cats/tabby']);
    const none = await loadClassFolders(spec(), { files: PNG, depth: 2, minSamples: 3 }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(DataError);
    expect((none as DataError).hints.join('\n')).toContain(
      'none of its 3 classes has 3 or more images (minSamples), 5 images in all',
    );
    const emptied = await loadClassFolders(spec(), {
      files: PNG,
      depth: 1,
      filter: { what: 'test filters', apply: () => [] },
    }).catch((e: unknown) => e);
    expect((emptied as DataError).hints).toContain('the test filters leave none of its 7 files');
  });

  it('names the path and the config key for a missing, file or empty root', async () => {
    const missing = await loadClassFolders(spec({ path: join(root, 'nowhere') }), { files: PNG, depth: 1 }).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(DataError);
    expect((missing as Error).message).toBe(`data folder not found: ${join(root, 'nowhere')} (from data.train.path)`);
    const file = await loadClassFolders(spec({ path: join(root, 'top.png') }), { files: PNG }).catch((e: unknown) => e);
    expect((file as Error).message).toBe(`data.train.path is a file, not a folder: ${join(root, 'top.png')}`);
    const empty = (await loadClassFolders(spec({ path: join(root, 'birds') }), { files: PNG, depth: 1 }).catch(
      (e: unknown) => e,
    )) as DataError;
    expect(empty).toBeInstanceOf(DataError);
    expect(empty.message).toBe(`no images found in ${join(root, 'birds')} (from data.train.path, layout 'folder')`);
    expect(empty.hints).toEqual([
      'expected <root>/<class>/<image files> (extensions .png, .jpg)',
      'the folder holds: readme.txt',
    ]);
    const deep = (await loadClassFolders(spec(), { files: PNG, depth: 4 }).catch((e: unknown) => e)) as DataError;
    expect(deep.hints[0]).toBe(
      'expected <root>/<level1>/<level2>/<level3>/<level4>/<image files> (extensions .png, .jpg)',
    );
    const any = (await loadClassFolders(spec({ path: join(root, 'birds') }), {
      files: { kind: 'clips', extensions: ['.mp4'] },
    }).catch((e: unknown) => e)) as DataError;
    expect(any.hints[0]).toBe('expected <root>/<class folders, any depth>/<clips> (extensions .mp4)');
  });
});
