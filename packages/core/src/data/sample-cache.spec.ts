import * as tf from '@tensorflow/tfjs';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { LabeledSet, type SampleRef } from '../labeled-set.js';
import { sampleShape, type Modality, type Preprocess, type SampleShape } from '../modality.js';
import { DataError } from '../errors.js';
import type { ProgressSink } from '../progress.js';
import { SampleStore } from './sample-store.js';
import { canonicalJson, decodeCached, sampleCacheDir, type SampleCacheManifest } from './sample-cache.js';

const SHAPE = sampleShape([2, 3, 1], ['height', 'width', 'channels']);
const SIZE = 6;
const TOL = 0.5 / 255 + 1e-6;

/** A modality whose files hold a JSON array of 6 numbers; `gain` multiplies them; 'bad' files fail. */
class FakeModality implements Modality {
  readonly id = 'fake';
  readonly description = 'JSON arrays of numbers';
  readonly layouts = ['flat'];
  readonly defaultEncoder = 'none';
  readonly preprocessSchema = z.object({ gain: z.number().default(1) });
  decodes = 0;
  /** Set true to say the values come from 8-bit sources (storage auto may then quantise them). */
  uint8 = true;
  sampleShape(): SampleShape {
    return SHAPE;
  }
  storesAsUint8(): boolean {
    return this.uint8;
  }
  async load(): Promise<LabeledSet> {
    throw new Error('not used');
  }
  async decode(ref: SampleRef, pre: Preprocess): Promise<Float32Array> {
    const file = ref.path;
    this.decodes++;
    const text = await readFile(file, 'utf8');
    if (text === 'bad') throw new DataError(`${file}: not a fake sample`);
    const gain = (pre['gain'] as number | undefined) ?? 1;
    return Float32Array.from(JSON.parse(text) as number[], (v) => v * gain);
  }
}

/** Progress that keeps the log lines. */
class LogSink implements ProgressSink {
  lines: string[] = [];
  log(line: string): void {
    this.lines.push(line);
  }
  start(): { tick(): void; done(): void } {
    return { tick() {}, done() {} };
  }
}

let root: string;
let seq = 0;

/** A fresh folder of `n` sample files (values in [0, 1) unless `values` says otherwise), 3 classes. */
function makeData(
  n: number,
  values: (i: number, j: number) => number = (i, j) => ((i * 7 + j * 13) % 97) / 97 + 0.001 * j,
): string {
  const dir = path.join(root, `data-${seq++}`);
  for (let c = 0; c < 3; c++) mkdirSync(path.join(dir, `c${c}`), { recursive: true });
  for (let i = 0; i < n; i++) {
    const file = path.join(dir, `c${i % 3}`, `s${String(i).padStart(3, '0')}.json`);
    writeFileSync(file, JSON.stringify(Array.from({ length: SIZE }, (_, j) => values(i, j))));
  }
  return dir;
}

function listSet(dir: string): LabeledSet {
  const samples = [];
  for (const c of readdirSync(dir).sort()) {
    for (const f of readdirSync(path.join(dir, c)).sort())
      samples.push({ id: `${c}/${f}`, path: path.join(dir, c, f), label: c });
  }
  return new LabeledSet(samples, dir);
}

function freshCache(): string {
  return path.join(root, `cache-${seq++}`);
}

function manifestOf(cacheDir: string): SampleCacheManifest {
  const json = readdirSync(cacheDir).filter((f) => f.endsWith('.json'));
  expect(json).toHaveLength(1);
  return JSON.parse(readFileSync(path.join(cacheDir, json[0]!), 'utf8')) as SampleCacheManifest;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(path.join(os.tmpdir(), 'fewshot-cache-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('decodeCached', () => {
  it('decodes on a miss and loads the same rows on a hit', async () => {
    const set = listSet(makeData(12));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const log = new LogSink();
    const a = await decodeCached(set, m, { gain: 1 }, { cacheDir, progress: log });
    expect(a.cache).toMatchObject({ enabled: true, hit: false });
    expect(m.decodes).toBe(12);
    expect(readdirSync(cacheDir).sort()).toEqual([`${a.cache.key}.bin`, `${a.cache.key}.json`]);
    const b = await decodeCached(set, m, { gain: 1 }, { cacheDir, progress: log });
    expect(b.cache).toMatchObject({ enabled: true, hit: true, key: a.cache.key });
    expect(m.decodes).toBe(12);
    expect(log.lines.some((l) => /^cache: loaded 12 samples \(uint8/.test(l))).toBe(true);
    expect(b.store.dtype).toBe('uint8');
    expect([...b.store.data]).toEqual([...a.store.data]);
    const idx = [3, 0, 11, 3];
    const [xa, xb] = [a.store.batch(idx), b.store.batch(idx)];
    expect(xb.shape).toEqual([4, ...SHAPE.dims]);
    expect([...xb.dataSync()]).toEqual([...xa.dataSync()]);
    tf.dispose([xa, xb]);
    expect(b.set.samples.map((s) => s.id)).toEqual(a.set.samples.map((s) => s.id));
    const mf = manifestOf(cacheDir);
    expect(mf).toMatchObject({
      format: 1,
      dtype: 'uint8',
      count: 12,
      bytes: 12 * SIZE,
      shape: [2, 3, 1],
      names: ['height', 'width', 'channels'],
      skipped: [],
    });
    expect(mf.ids).toEqual(set.samples.map((s) => s.id));
  });

  it('rebuilds when a preprocess setting changes', async () => {
    const set = listSet(makeData(6));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const a = await decodeCached(set, m, { gain: 1 }, { cacheDir });
    const b = await decodeCached(set, m, { gain: 0.5 }, { cacheDir });
    expect(b.cache.hit).toBe(false);
    expect(b.cache.key).not.toBe(a.cache.key);
    expect(m.decodes).toBe(12);
    expect(
      maxAbsDiff(
        b.store.row(1),
        a.store.row(1).map((v) => v * 0.5),
      ),
    ).toBeLessThanOrEqual(2 * TOL);
    // key order of the settings does not matter
    expect(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 0 }] } })).toBe(
      '{"a":{"c":[3,{"e":0,"f":1}],"d":2},"b":1}',
    );
    const c = await decodeCached(set, m, { gain: 1 }, { cacheDir });
    expect(c.cache).toMatchObject({ hit: true, key: a.cache.key });
  });

  it("rebuilds when the modality's decoder version changes", async () => {
    const set = listSet(makeData(4));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const a = await decodeCached(set, m, { gain: 1 }, { cacheDir });
    const versioned = Object.assign(Object.create(m) as FakeModality, { cacheVersion: '2' });
    const b = await decodeCached(set, versioned, { gain: 1 }, { cacheDir });
    expect(b.cache.hit).toBe(false);
    expect(b.cache.key).not.toBe(a.cache.key);
    const c = await decodeCached(set, versioned, { gain: 1 }, { cacheDir });
    expect(c.cache).toMatchObject({ hit: true, key: b.cache.key });
  });

  it('rebuilds when a source file is touched, added or removed', async () => {
    const dir = makeData(6);
    const m = new FakeModality();
    const cacheDir = freshCache();
    const first = await decodeCached(listSet(dir), m, {}, { cacheDir });
    expect((await decodeCached(listSet(dir), m, {}, { cacheDir })).cache.hit).toBe(true);

    const f = listSet(dir).samples[2]!.path;
    const later = new Date(statSync(f).mtimeMs + 5000);
    utimesSync(f, later, later);
    const touched = await decodeCached(listSet(dir), m, {}, { cacheDir });
    expect(touched.cache.hit).toBe(false);
    expect(touched.cache.key).not.toBe(first.cache.key);

    writeFileSync(path.join(dir, 'c1', 'extra.json'), JSON.stringify([0, 0, 0, 1, 1, 1]));
    const added = await decodeCached(listSet(dir), m, {}, { cacheDir });
    expect(added.cache.hit).toBe(false);
    expect(added.store.count).toBe(7);

    rmSync(path.join(dir, 'c0', 's000.json'));
    const removed = await decodeCached(listSet(dir), m, {}, { cacheDir });
    expect(removed.cache.hit).toBe(false);
    expect(removed.store.count).toBe(6);
    expect((await decodeCached(listSet(dir), m, {}, { cacheDir })).cache.hit).toBe(true);
  });

  it('detects a truncated .bin, warns and rebuilds it', async () => {
    const set = listSet(makeData(9));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const a = await decodeCached(set, m, {}, { cacheDir });
    truncateSync(a.cache.file, 20);
    const log = new LogSink();
    const b = await decodeCached(set, m, {}, { cacheDir, progress: log });
    expect(b.cache.hit).toBe(false);
    expect(m.decodes).toBe(18);
    expect(log.lines.some((l) => l.includes('warning') && l.includes('20 bytes') && l.includes('rebuilding'))).toBe(
      true,
    );
    expect(statSync(a.cache.file).size).toBe(9 * SIZE);
    const c = await decodeCached(set, m, {}, { cacheDir });
    expect(c.cache.hit).toBe(true);
    expect([...c.store.data]).toEqual([...a.store.data]);
  });

  it('ignores a .bin without its manifest (a run killed while saving) and stale temporaries', async () => {
    const set = listSet(makeData(4));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const a = await decodeCached(set, m, {}, { cacheDir });
    rmSync(a.cache.file.replace(/\.bin$/, '.json'));
    writeFileSync(`${a.cache.file}.123-abcd.tmp`, 'half');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(`${a.cache.file}.123-abcd.tmp`, old, old);
    const b = await decodeCached(set, m, {}, { cacheDir });
    expect(b.cache.hit).toBe(false);
    expect(readdirSync(cacheDir).sort()).toEqual([`${a.cache.key}.bin`, `${a.cache.key}.json`]);
  });

  it('quantises data in [0, 1] to uint8 within 0.5/255', async () => {
    const set = listSet(makeData(30, (i, j) => ((i * 31 + j * 17) % 1000) / 999));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const exact = await decodeCached(set, m, {}, { cacheDir, storage: 'float32' });
    expect(exact.store.dtype).toBe('float32');
    for (const load of [false, true]) {
      const q = await decodeCached(set, m, {}, { cacheDir });
      expect(q.cache.hit).toBe(load);
      expect(q.store.dtype).toBe('uint8');
      expect(q.store.byteLength).toBe(30 * SIZE);
      const all = new Float32Array(30 * SIZE);
      for (let i = 0; i < 30; i++) q.store.copyRow(i, all, i * SIZE);
      expect(maxAbsDiff(all, exact.store.data)).toBeLessThanOrEqual(TOL);
      expect(maxAbsDiff(all, exact.store.data)).toBeGreaterThan(0);
    }
  });

  it('keeps exact float32 rows under storage auto when the modality does not store as uint8, even in [0, 1]', async () => {
    const set = listSet(makeData(6));
    const m = Object.assign(new FakeModality(), { uint8: false });
    const d = await decodeCached(set, m, {}, { cache: false });
    expect(d.store.dtype).toBe('float32');
    const want = await m.decode(set.samples[4]!, {});
    expect([...d.store.row(4)]).toEqual([...want]);
    expect(want.every((v) => v >= 0 && v <= 1)).toBe(true);
    // and its cache key differs from the quantised form's (its entries hold other rows)
    const a = await decodeCached(set, m, {}, { cacheDir: freshCache() });
    const b = await decodeCached(set, new FakeModality(), {}, { cacheDir: freshCache() });
    expect(a.cache.key).not.toBe(b.cache.key);
    expect(b.store.dtype).toBe('uint8');
  });

  it('loads an entry written before shapes had names ([h, w, c] of the same size)', async () => {
    const set = listSet(makeData(3));
    const cacheDir = freshCache();
    const m = new FakeModality();
    const a = await decodeCached(set, m, {}, { cacheDir });
    const file = path.join(cacheDir, `${a.cache.key}.json`);
    const { names: _names, ...old } = JSON.parse(readFileSync(file, 'utf8')) as SampleCacheManifest;
    writeFileSync(file, JSON.stringify({ ...old, shape: [6, 1, 1] }));
    const b = await decodeCached(set, m, {}, { cacheDir });
    expect(b.cache.hit).toBe(true);
    expect(b.store.shape).toEqual(SHAPE);
    writeFileSync(file, JSON.stringify({ ...old, shape: [5, 1, 1] }));
    expect((await decodeCached(set, m, {}, { cacheDir })).cache.hit).toBe(false);
  });

  it('keeps exact float32 rows for data outside [0, 1], also when it shows up late', async () => {
    const set = listSet(makeData(10, (i, j) => (i === 7 && j === 2 ? 1.5 : (i + j) / 20)));
    const m = new FakeModality();
    const cacheDir = freshCache();
    const want = set.samples.map((s) => JSON.parse(readFileSync(s.path, 'utf8')) as number[]).flat();
    for (const load of [false, true]) {
      const d = await decodeCached(set, m, {}, { cacheDir, concurrency: 1 });
      expect(d.cache.hit).toBe(load);
      expect(d.store.dtype).toBe('float32');
      expect([...d.store.data]).toEqual([...Float32Array.from(want)]);
    }
    expect(manifestOf(cacheDir)).toMatchObject({ dtype: 'float32', scale: 1, bytes: 10 * SIZE * 4 });
    // rows decoded before the switch were decoded again, exactly
    expect(m.decodes).toBe(10 + set.samples.findIndex((s) => s.id === 'c1/s007.json'));
    // the 8-bit scale ('normalize: none'-like data) stays float32 too
    const big = await decodeCached(set, m, { gain: 255 }, { cacheDir });
    expect(big.store.dtype).toBe('float32');
    expect(big.store.row(0)[1]).toBeCloseTo(want[1]! * 255, 4);
  });

  it('clamps to [0, 1] when uint8 is forced', async () => {
    const set = listSet(makeData(3, (i, j) => j - 2));
    const d = await decodeCached(set, new FakeModality(), {}, { cache: false, storage: 'uint8' });
    expect(d.store.dtype).toBe('uint8');
    expect([...d.store.row(0)]).toEqual([0, 0, 0, 1, 1, 1]);
  });

  it('remembers skipped samples and returns the same set on a hit', async () => {
    const dir = makeData(8);
    writeFileSync(path.join(dir, 'c2', 's002.json'), 'bad');
    writeFileSync(path.join(dir, 'c0', 's006.json'), 'bad');
    const set = listSet(dir);
    const m = new FakeModality();
    const cacheDir = freshCache();
    const a = await decodeCached(set, m, {}, { cacheDir, onBadSample: 'skip' });
    expect(a.skipped.map((s) => path.relative(dir, s.path))).toEqual(['c0/s006.json', 'c2/s002.json']);
    expect(a.set.size).toBe(6);
    expect(a.store.count).toBe(6);
    const mf = manifestOf(cacheDir);
    expect(mf.skipped).toEqual(a.skipped);
    expect(mf.ids).toEqual(a.set.samples.map((s) => s.id));
    const b = await decodeCached(set, m, {}, { cacheDir, onBadSample: 'skip' });
    expect(b.cache.hit).toBe(true);
    expect(b.skipped).toEqual(a.skipped);
    expect(b.set.samples.map((s) => s.id)).toEqual(a.set.samples.map((s) => s.id));
    expect(b.set.classes).toEqual(a.set.classes);
    expect([...b.store.data]).toEqual([...a.store.data]);
    // each kept row is the row of its own file
    b.set.samples.forEach((s, i) => {
      const want = JSON.parse(readFileSync(s.path, 'utf8')) as number[];
      expect(maxAbsDiff(b.store.row(i), want)).toBeLessThanOrEqual(TOL);
    });
    // without 'skip', a hit fails as decoding would
    await expect(decodeCached(set, m, {}, { cacheDir })).rejects.toThrow(DataError);
    await expect(decodeCached(set, m, {}, { cacheDir, cache: false })).rejects.toThrow('not a fake sample');
  });

  it('batches uint8 rows like the float32 path, with the transform applied, and leaks no tensor', async () => {
    const set = listSet(makeData(20, (i, j) => ((i * 13 + j * 29) % 255) / 254.3));
    const m = new FakeModality();
    const f = await decodeCached(set, m, {}, { cache: false, storage: 'float32' });
    const q = await decodeCached(set, m, {}, { cache: false });
    expect(q.store.dtype).toBe('uint8');
    const idx = [19, 0, 5, 5, 12];
    const shift = (x: Float32Array, k: number): void => {
      x[0] = x[0]! + k;
    };
    const before = tf.memory().numTensors;
    const xf = f.store.batch(idx, shift);
    const xq = q.store.batch(idx, shift);
    expect(xq.shape).toEqual([5, ...SHAPE.dims]);
    expect(maxAbsDiff(xq.dataSync(), xf.dataSync())).toBeLessThanOrEqual(TOL);
    expect(xq.dataSync()[3 * SIZE]! - xq.dataSync()[2 * SIZE]!).toBeCloseTo(1, 6);
    tf.dispose([xf, xq]);
    expect(tf.memory().numTensors).toBe(before);
    const out = new Float32Array(SIZE + 2);
    q.store.copyRow(5, out, 2);
    expect([...out.subarray(2)]).toEqual([...q.store.row(5)]);
    expect(() => q.store.row(20)).toThrow(RangeError);
  });

  it('decodes without the cache when it is off, and finds its folder from $FEWSHOT_CACHE', async () => {
    const set = listSet(makeData(3));
    const cacheDir = freshCache();
    const d = await decodeCached(set, new FakeModality(), {}, { cache: false, cacheDir });
    expect(d.cache.enabled).toBe(false);
    expect(() => readdirSync(cacheDir)).toThrow();
    expect(sampleCacheDir({ FEWSHOT_CACHE: 'c' }, '/w')).toBe(path.resolve('/w', 'c'));
    expect(sampleCacheDir({}, '/w')).toBe(path.join('/w', '.cache', 'fewshot'));
  });
});

describe('SampleStore', () => {
  it('keeps Float32Array stores as they were built', () => {
    const data = Float32Array.from({ length: 3 * SIZE }, (_, i) => i - 4);
    const s = new SampleStore(SHAPE, data);
    expect(s.dtype).toBe('float32');
    expect(s.count).toBe(3);
    expect(s.row(1)).toEqual(data.subarray(SIZE, 2 * SIZE));
    expect(() => new SampleStore(SHAPE, new Uint8Array(7))).toThrow(RangeError);
  });
});
