import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError, PluginError } from '../errors.js';
import { dataSetPresence } from './data-dir.js';
import type { DataSetEntry, DerivedFrom } from './data-set-entry.js';
import type { DataSetMaker, DataSetMakeRequest } from './data-set-maker.js';
import { fetchDataSet } from './fetch-data-set.js';
import { makeDataSet } from './make-data-set.js';

const DERIVED: DerivedFrom = { from: ['src'], maker: 'numbers', plugin: 'numbers-plugin', describe: 'numbered files' };
const ENTRY: DataSetEntry & { derived: DerivedFrom } = {
  name: 'numbers',
  title: 'test',
  path: 'sets/numbers',
  homepage: '',
  licence: 'MIT',
  citation: '',
  archives: [],
  derived: DERIVED,
  expect: { kind: 'archives', files: [] },
};

/** A maker of 5 files `0.txt` .. `4.txt` that keeps those there, optionally failing on one, recording what it was asked. */
function numbers(events: string[], failOn?: number): DataSetMaker & { requests: DataSetMakeRequest[] } {
  const requests: DataSetMakeRequest[] = [];
  return {
    id: 'numbers',
    requests,
    check: () => void events.push('check'),
    async make(request) {
      requests.push(request);
      events.push('make');
      const n = Math.min(5, request.limit ?? 5);
      let made = 0;
      let kept = 0;
      const failed = [];
      for (let i = 0; i < n; i++) {
        const file = path.join(request.out, `${i}.txt`);
        if (existsSync(file)) kept++;
        else if (i === failOn) failed.push({ source: `src:${i}`, reason: 'broken' });
        else {
          writeFileSync(file, String(i));
          made++;
        }
      }
      request.log(`made ${made}`);
      return { samples: n, made, kept, failed };
    },
  };
}

describe('makeDataSet', () => {
  let data: string;
  const lines: string[] = [];
  const progress = { log: (l: string) => void lines.push(l) };
  beforeEach(() => {
    data = mkdtempSync(path.join(os.tmpdir(), 'fewshot-make-'));
    lines.length = 0;
  });
  afterEach(() => rmSync(data, { recursive: true, force: true }));
  const target = (): string => path.join(data, 'sets', 'numbers');

  const run = (maker: DataSetMaker, events: string[], limit?: number) =>
    makeDataSet(ENTRY, data, {
      makers: [maker],
      progress,
      ...(limit !== undefined ? { limit } : {}),
      fetchSource: async (name) => void events.push(`fetch ${name}`),
      sourcePath: (name) => path.join(data, name),
    });

  it('checks the maker, fetches the sources, makes in <folder>.making and renames it into place', async () => {
    const events: string[] = [];
    const maker = numbers(events);
    const made = await run(maker, events);
    expect(events).toEqual(['check', 'fetch src', 'make']);
    expect(maker.requests[0]).toMatchObject({
      name: 'numbers',
      sources: { src: path.join(data, 'src') },
      out: `${target()}.making`,
    });
    expect(made).toMatchObject({
      status: 'made',
      target: target(),
      maker: 'numbers',
      result: { samples: 5, made: 5, kept: 0 },
    });
    expect(readdirSync(target()).sort()).toEqual(['0.txt', '1.txt', '2.txt', '3.txt', '4.txt']);
    expect(existsSync(`${target()}.making`)).toBe(false);
    expect(lines).toContain('made 5');
  });

  it('leaves a failed or limited make in the working folder, and the next run keeps what it made', async () => {
    const events: string[] = [];
    await expect(run(numbers(events, 3), events)).rejects.toThrow(
      new DataError('numbers could not be made completely (4 made, 0 kept from an earlier run, 1 failed of 5)'),
    );
    expect(existsSync(target())).toBe(false);
    expect(readdirSync(`${target()}.making`)).toHaveLength(4);
    expect(dataSetPresence(ENTRY, data)).toBe('partial');

    const limited = await run(numbers(events), events, 2);
    expect(limited).toMatchObject({
      status: 'partial',
      working: `${target()}.making`,
      result: { samples: 2, made: 0, kept: 2 },
    });
    expect(existsSync(target())).toBe(false);

    const done = await run(numbers(events), events);
    expect(done.result).toMatchObject({ made: 1, kept: 4 });
    expect(readdirSync(target())).toHaveLength(5);
    expect(dataSetPresence(ENTRY, data)).toBe('present');
  });

  it('names the plugin that provides a maker that is not loaded, before fetching anything', async () => {
    const events: string[] = [];
    const err = await run({ ...numbers(events), id: 'other' }, events).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).message).toBe(
      "numbers is made, not downloaded, and no loaded plugin provides its maker 'numbers'",
    );
    expect((err as PluginError).hints).toEqual([
      'install the plugin that makes it: npm install numbers-plugin',
      'loaded makers: other',
    ]);
    expect(events).toEqual([]);
  });

  it('a maker whose check fails (ffmpeg missing) stops the fetch before the sources are fetched', async () => {
    const events: string[] = [];
    const maker = {
      ...numbers(events),
      check: () => {
        throw new PluginError('ffmpeg not found');
      },
    };
    await expect(run(maker, events)).rejects.toThrow('ffmpeg not found');
    expect(events).toEqual([]);
    expect(existsSync(`${target()}.making`)).toBe(false);
  });
});

describe('fetchDataSet of a data set that is made', () => {
  it('is present when its folder is there, and is not made again', async () => {
    const data = mkdtempSync(path.join(os.tmpdir(), 'fewshot-make-'));
    try {
      mkdirSync(path.join(data, 'sets', 'numbers'), { recursive: true });
      const events: string[] = [];
      const results = await fetchDataSet(ENTRY, data, { makers: [numbers(events)], sets: [ENTRY] });
      expect(results).toEqual([{ fileName: 'numbers', target: path.join(data, 'sets', 'numbers'), status: 'present' }]);
      expect(events).toEqual([]);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
