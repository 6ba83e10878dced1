import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError, type DatasetSpec } from '@fewshot/core/plugin';
import { loadFolder } from './folder-loader.js';

let root: string;
const spec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.val',
  path: root,
  layout: 'folder',
  options: {},
  ...over,
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fewshot-folder-'));
  const files = [
    'cats/siamese/a.PNG',
    'cats/siamese/b.jpg',
    'cats/tabby/c.JPEG',
    'cats/tabby/more/d.png',
    'cats/tabby/readme.txt',
    'dogs/pug/e.png',
    'dogs/f.png',
    'top-level.png',
  ];
  for (const f of files) {
    await mkdir(join(root, f, '..'), { recursive: true });
    await writeFile(join(root, f), '');
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadFolder', () => {
  it('takes one folder level as the class by default, images below it included', async () => {
    const set = await loadFolder(spec());
    expect(set.classes).toEqual(['cats', 'dogs']);
    expect(set.of('cats').map((s) => s.id)).toEqual([
      'cats/siamese/a.PNG',
      'cats/siamese/b.jpg',
      'cats/tabby/c.JPEG',
      'cats/tabby/more/d.png',
    ]);
    expect(set.of('dogs').map((s) => s.path)).toEqual([join(root, 'dogs/f.png'), join(root, 'dogs/pug/e.png')]);
  });

  it('uses depth folder levels as the class (depth 2 gives a/b)', async () => {
    const set = await loadFolder(spec({ options: { depth: 2 } }));
    expect(set.classes).toEqual(['cats/siamese', 'cats/tabby', 'dogs/pug']);
    expect(set.of('cats/tabby').map((s) => s.id)).toEqual(['cats/tabby/c.JPEG', 'cats/tabby/more/d.png']);
    expect(set.of('dogs/pug')[0]?.label).toBe('dogs/pug');
  });

  it('filters classes, or their top folders, with include and exclude', async () => {
    expect((await loadFolder(spec({ exclude: ['cats'] }))).classes).toEqual(['dogs']);
    const two = spec({ options: { depth: 2 } });
    expect((await loadFolder({ ...two, include: ['cats'] })).classes).toEqual(['cats/siamese', 'cats/tabby']);
    expect((await loadFolder({ ...two, exclude: ['cats/tabby'] })).classes).toEqual(['cats/siamese', 'dogs/pug']);
    await expect(loadFolder({ ...two, include: ['cats/tabbi'] })).rejects.toThrow(
      "data.val.include: unknown class 'cats/tabbi' (did you mean 'cats/tabby'?)",
    );
  });

  it('validates options and reports folders without images', async () => {
    await expect(loadFolder(spec({ options: { depth: 0 } }))).rejects.toThrow(ConfigError);
    await expect(loadFolder(spec({ options: { depht: 2 } }))).rejects.toThrow(/data\.val\.options/);
    const err = await loadFolder(spec({ options: { depth: 4 } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toContain(`no images found in ${root}`);
  });
});
