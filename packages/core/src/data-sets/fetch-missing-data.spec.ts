import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../config/load-config.js';
import type { ByteProgress } from './byte-progress.js';
import type { DataSetEntry } from './data-set-entry.js';
import type { DataSetMaker } from './data-set-maker.js';
import { experimentDataPaths } from './fetch-experiment-data.js';
import { dataSetFor } from './fetch-hint.js';
import { fetchMissingData } from './fetch-missing-data.js';
import { zipOf } from './test-support.js';

/** Two test data sets: `sets/digits` (one archive) and `sets/made` (no archive: made from digits by the maker `copy`). */
const SETS: readonly DataSetEntry[] = [
  {
    name: 'digits',
    title: 'test',
    path: 'sets/digits',
    homepage: '',
    licence: 'MIT',
    citation: '',
    archives: [
      {
        url: 'http://127.0.0.1:9/none.zip',
        fileName: 'digits.zip',
        target: 'sets/digits',
        unpack: { kind: 'unzip', marker: 'one' },
      },
    ],
    expect: { kind: 'archives', files: [] },
  },
  {
    name: 'made',
    title: 'test',
    path: 'sets/made',
    homepage: '',
    licence: 'MIT',
    citation: '',
    archives: [],
    derived: { from: ['digits'], maker: 'copy', plugin: 'copy-plugin', describe: 'copied' },
    expect: { kind: 'archives', files: [] },
  },
];

function recording(): ByteProgress & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (l) => void lines.push(l), start: () => ({ update() {}, done() {} }) };
}

/** Makes `made` as one file per file of its source's folder `one`. */
const COPY: DataSetMaker = {
  id: 'copy',
  async make({ sources, out }) {
    writeFileSync(path.join(out, 'a.txt'), readFileSync(path.join(sources['digits']!, 'one', 'a.txt')));
    return { samples: 1, made: 1, kept: 0, failed: [] };
  },
};

describe('dataSetFor', () => {
  it('finds the registry data set a path is or lies in, and the data folder', () => {
    expect(dataSetFor('/srv/d/omniglot/images_background/Greek')).toMatchObject({
      entry: { name: 'omniglot-background' },
      dataDir: '/srv/d',
    });
    expect(dataSetFor('/x/fsdd/recordings')).toMatchObject({ entry: { name: 'fsdd' }, dataDir: '/x' });
    expect(dataSetFor('/x/sets/digits/one', SETS)).toMatchObject({ entry: { name: 'digits' }, dataDir: '/x' });
    expect(dataSetFor('/x/my-digits')).toBeUndefined();
  });
});

describe('fetchMissingData', () => {
  let dir: string;
  let mirror: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-fetch-missing-'));
    mirror = path.join(dir, 'mirror');
    mkdirSync(mirror);
    writeFileSync(
      path.join(mirror, 'digits.zip'),
      await zipOf({ 'digits-main/one/a.txt': Buffer.from('1'), 'digits-main/two/b.txt': Buffer.from('2') }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('fetches a missing registry folder once into the data folder it lies in, and leaves the rest alone', async () => {
    const data = path.join(dir, 'data');
    const own = path.join(dir, 'own');
    mkdirSync(own);
    const progress = recording();
    const summary = await fetchMissingData(
      [path.join(data, 'sets/digits'), path.join(data, 'sets/digits/two'), path.join(dir, 'nowhere'), own],
      { sets: SETS, mirror, progress },
    );
    expect(readFileSync(path.join(data, 'sets/digits/one/a.txt'), 'utf8')).toBe('1');
    expect(summary.fetched).toEqual([
      {
        name: 'digits',
        dataDir: data,
        paths: [path.join(data, 'sets/digits'), path.join(data, 'sets/digits/two')],
        archives: [
          expect.objectContaining({
            fileName: 'digits.zip',
            status: 'fetched',
            target: path.join(data, 'sets/digits'),
          }),
        ],
      },
    ]);
    expect(summary.notProvided).toEqual([path.join(dir, 'nowhere')]);
    expect(progress.lines[0]).toBe(
      `fetching digits into ${data} (missing: ${path.join(data, 'sets/digits')}, ${path.join(data, 'sets/digits/two')})`,
    );
  });

  it('makes a missing data set that is made, after fetching its source', async () => {
    const data = path.join(dir, 'data');
    const progress = recording();
    const summary = await fetchMissingData([path.join(data, 'sets/made')], {
      sets: SETS,
      mirror,
      progress,
      makers: [COPY],
    });
    expect(readFileSync(path.join(data, 'sets/made/a.txt'), 'utf8')).toBe('1');
    expect(readFileSync(path.join(data, 'sets/digits/two/b.txt'), 'utf8')).toBe('2');
    expect(existsSync(path.join(data, 'sets/made.making'))).toBe(false);
    expect(summary.fetched).toEqual([
      {
        name: 'made',
        dataDir: data,
        paths: [path.join(data, 'sets/made')],
        archives: [expect.objectContaining({ fileName: 'made', status: 'made', target: path.join(data, 'sets/made') })],
      },
    ]);
    expect(summary.notProvided).toEqual([]);
  });

  it('does not fetch a data set that is there but lacks the path asked for', async () => {
    const data = path.join(dir, 'data');
    mkdirSync(path.join(data, 'sets/digits/one'), { recursive: true });
    const summary = await fetchMissingData([path.join(data, 'sets/digits/three')], { sets: SETS, mirror });
    expect(summary).toEqual({ fetched: [], notProvided: [path.join(data, 'sets/digits/three')] });
    expect(existsSync(path.join(data, 'sets/digits/two'))).toBe(false);
  });
});

describe('experimentDataPaths', () => {
  it('resolves the splits against the data root, then the runs', () => {
    const loaded = parseConfigText(
      `modality: toy\ndata:\n  root: /d/omniglot\n  train: { path: images_background }\n  validation: { path: images_background }\n  test: { path: /abs/test }\n  runs: one-shot-classification\n`,
      '<t>',
    );
    expect(experimentDataPaths(loaded, ['train', 'validation'], { fromConfig: true })).toEqual([
      '/d/omniglot/images_background',
      '/d/omniglot/one-shot-classification',
    ]);
    expect(experimentDataPaths(loaded, ['test'])).toEqual(['/abs/test']);
    expect(experimentDataPaths(loaded, [], { explicit: 'my-runs', fromConfig: true })).toEqual([
      path.resolve('my-runs'),
    ]);
  });
});
