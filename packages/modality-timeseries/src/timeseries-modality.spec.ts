import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, Rng, shapeSize, type DatasetSpec } from '@fewshot/core/plugin';
import { TimeseriesModality, timeseriesAugmentSchema } from './timeseries-modality.js';
import { timeseriesPreprocessSchema } from './timeseries-preprocess.js';

const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url));
const modality = new TimeseriesModality();
const pre = timeseriesPreprocessSchema.parse({ length: 16 });
const spec = (p: string, layout: string, extra: Partial<DatasetSpec> = {}): DatasetSpec => ({
  name: 'data.test',
  path: p,
  layout,
  options: {},
  ...extra,
});

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-timeseries-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(tmp, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('the folder layout', () => {
  it('reads CSV, TSV and JSON files, one class per folder, with a name attribute', async () => {
    const set = await modality.load(spec(fixtures, 'folder', { options: { nameAttr: 'take' } }));
    expect(set.classes).toEqual(['circle', 'line', 'zigzag']);
    expect(set.samples.map((s) => s.id)).toEqual([
      'circle/c_1.csv',
      'circle/c_2.csv',
      'circle/c_3.csv',
      'line/l_1.tsv',
      'line/l_2.tsv',
      'line/l_3.tsv',
      'zigzag/z_1.json',
      'zigzag/z_2.json',
      'zigzag/z_3.json',
    ]);
    expect(set.samples[0]!.attrs).toEqual({ group: 'circle', take: '1' });
    for (const s of set.samples)
      expect((await modality.decode(s, pre)).length).toBe(shapeSize(modality.sampleShape(pre)));
  });
});

describe('the omniglot layout (stroke files)', () => {
  it('reads unpacked <Alphabet>/characterNN/<id>_<drawer>.txt with alphabet, character and drawer', async () => {
    const stroke = 'START\n0,0,0\n5,5,20\nBREAK\n5,0,60\n0,5,90\nBREAK\n';
    write('strokes/Latin/character01/0001_01.txt', stroke);
    write('strokes/Latin/character01/0001_02.txt', stroke);
    write('strokes/Greek/character02/0002_07.txt', stroke);
    const set = await modality.load(spec(path.join(tmp, 'strokes'), 'omniglot', { include: ['Latin'] }));
    expect(set.samples.map((s) => [s.id, s.label, s.attrs])).toEqual([
      [
        'Latin/character01/0001_01.txt',
        'Latin/character01',
        { alphabet: 'Latin', character: 'character01', drawer: '01' },
      ],
      [
        'Latin/character01/0001_02.txt',
        'Latin/character01',
        { alphabet: 'Latin', character: 'character01', drawer: '02' },
      ],
    ]);
    const x = await modality.decode(set.samples[0]!, pre);
    // the pen is up on the jump between the two strokes
    const F = 5;
    const pen = Array.from({ length: 16 }, (_, i) => x[i * F + 4]);
    expect(pen).toContain(0);
    expect(pen[0]).toBe(1);
    expect(pen[15]).toBe(1);
    await expect(modality.load(spec(path.join(tmp, 'strokes'), 'omniglot', { include: ['Latn'] }))).rejects.toThrow(
      /Latn/,
    );
  });
});

describe('decoding bad files', () => {
  it.each([
    ['ragged.csv', 'x,y\n1,2\n3,4,5\n', /ragged\.csv: line 3 has 3 cells, the header 2 \(ragged rows\)/],
    ['nan.csv', 'x,y\n1,2\n3,oops\n', /nan\.csv: line 3, column 'y': 'oops' is not a number/],
    ['empty.csv', '', /empty\.csv: empty file/],
    ['single.csv', 'x,y\n1,2\n', /single\.csv: a single data point/],
    ['single.json', '[[1, 2]]', /single\.json: a single data point/],
    ['bad.txt', 'START\n1,2,0\n1;2;3\n', /bad\.txt: line 3: expected 'x,y,t_ms'/],
  ])('%s is a DataError naming the file and line', async (name, text, message) => {
    const file = write(`bad/${name}`, text);
    await expect(modality.decode({ id: name, path: file, label: 'bad' }, pre)).rejects.toThrow(DataError);
    await expect(modality.decode({ id: name, path: file, label: 'bad' }, pre)).rejects.toThrow(message);
  });
});

describe('augmentation', () => {
  it('rotates and scales the values and deltas alike, from the Rng only', async () => {
    const set = await modality.load(spec(fixtures, 'folder'));
    const x = await modality.decode(set.samples[0]!, pre);
    const o = timeseriesAugmentSchema.parse({ rotate: 90 });
    const a = x.slice();
    const b = x.slice();
    modality.augment(a, pre, o, new Rng(3));
    modality.augment(b, pre, o, new Rng(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(x));
    // a rotation keeps the length of every (x, y) and (dx, dy); the pen channel is untouched
    for (let i = 0; i < 16; i++) {
      const f = i * 5;
      expect(Math.hypot(a[f]!, a[f + 1]!)).toBeCloseTo(Math.hypot(x[f]!, x[f + 1]!), 4);
      expect(Math.hypot(a[f + 2]!, a[f + 3]!)).toBeCloseTo(Math.hypot(x[f + 2]!, x[f + 3]!), 3);
      expect(a[f + 4]).toBe(x[f + 4]);
    }
  });
});

describe('thumbnail', () => {
  it('draws the pen-down path black on white', async () => {
    const set = await modality.load(spec(fixtures, 'folder'));
    const t = await modality.thumbnail(set.samples[0]!, pre);
    expect([t.width, t.height, t.channels, t.data.length]).toEqual([64, 64, 1, 64 * 64]);
    const ink = t.data.filter((v) => v === 0).length;
    expect(ink).toBeGreaterThan(50);
    expect(ink).toBeLessThan((64 * 64) / 4);
  });
});
