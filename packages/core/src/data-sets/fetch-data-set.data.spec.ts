import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../errors.js';
import { testDataDir } from '../testing/test-data.js';
import type { DataSetEntry } from './data-set-entry.js';
import { DOWNLOADS_FOLDER, fetchDataSet } from './fetch-data-set.js';
import { serveFiles, zipOf, type Behaviour, type TestServer } from './test-support.js';

const SHARED = testDataDir(import.meta.url);
const CHARACTER = path.join(SHARED, 'omniglot/images_background/Alphabet_of_the_Magi/character01');

/** 20 real Omniglot PNGs in a zip with a generated top folder, as GitHub archives have. */
async function realArchive(): Promise<{ zip: Buffer; names: string[] }> {
  const names = readdirSync(CHARACTER).sort();
  const files: Record<string, Buffer> = { 'magi-1234abc/README.txt': Buffer.from('a test archive\n') };
  for (const n of names)
    files[`magi-1234abc/Alphabet_of_the_Magi/character01/${n}`] = readFileSync(path.join(CHARACTER, n));
  return { zip: await zipOf(files), names };
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('hex');

function entryFor(url: string, checksum: string | undefined): DataSetEntry {
  return {
    name: 'magi',
    title: 'test',
    path: 'sets/magi',
    homepage: 'http://127.0.0.1/',
    licence: 'MIT',
    citation: 'none',
    archives: [
      {
        url,
        fileName: 'magi.zip',
        ...(checksum ? { md5: checksum } : {}),
        target: 'sets/magi',
        unpack: { kind: 'unzip', marker: 'Alphabet_of_the_Magi' },
      },
    ],
    expect: { kind: 'archives', files: [] },
  };
}

describe('fetchDataSet against a local server', () => {
  let dir: string;
  let server: TestServer | undefined;
  let archive: { zip: Buffer; names: string[] };
  beforeAll(async () => {
    archive = await realArchive();
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-fetch-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const serve = async (behaviour: Behaviour, cutAt?: number): Promise<string> => {
    server = await serveFiles({ '/magi.zip': { body: archive.zip, behaviour, ...(cutAt ? { cutAt } : {}) } });
    return `${server.url}/magi.zip`;
  };
  const unpacked = (): string[] => readdirSync(path.join(dir, 'sets/magi/Alphabet_of_the_Magi/character01')).sort();
  const leftovers = (): string[] =>
    readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => /\.part$|unpacking|fewshot-downloads/.test(f));

  it('downloads, checks the md5 and unpacks the folder holding the marker into place', async () => {
    const url = await serve('ok');
    const [r] = await fetchDataSet(entryFor(url, md5(archive.zip)), dir, { attempts: 1 });
    expect(r).toMatchObject({
      status: 'fetched',
      bytes: archive.zip.length,
      checksum: { algorithm: 'md5', value: md5(archive.zip), published: true },
    });
    expect(unpacked()).toEqual(archive.names);
    expect(readFileSync(path.join(dir, 'sets/magi/README.txt'), 'utf8')).toBe('a test archive\n');
    expect(leftovers()).toEqual([]);
    // a second fetch finds it in place and downloads nothing
    const again = await fetchDataSet(entryFor(url, md5(archive.zip)), dir, { attempts: 1 });
    expect(again[0]!.status).toBe('present');
    expect(server!.requests).toHaveLength(1);
  });

  it('resumes a download cut midway with a Range request, within one fetch and across two', async () => {
    const half = Math.floor(archive.zip.length / 2);
    const url = await serve('cut', half);
    await fetchDataSet(entryFor(url, md5(archive.zip)), dir, { attempts: 2, backoffMs: 10 });
    expect(server!.requests.map((r) => r.range)).toEqual([undefined, `bytes=${half}-`]);
    expect(unpacked()).toEqual(archive.names);

    // across two calls: the first gives up and keeps the .part file, the second resumes from it
    rmSync(path.join(dir, 'sets'), { recursive: true });
    await server!.close();
    const url2 = await serve('cut', half);
    await expect(fetchDataSet(entryFor(url2, md5(archive.zip)), dir, { attempts: 1 })).rejects.toThrow(
      /download failed after 1 try: connection to .* (lost|closed)/,
    );
    const part = path.join(dir, DOWNLOADS_FOLDER, 'magi.zip.part');
    expect(statSync(part).size).toBe(half);
    await fetchDataSet(entryFor(url2, md5(archive.zip)), dir, { attempts: 1 });
    expect(server!.requests.at(-1)!.range).toBe(`bytes=${half}-`);
    expect(unpacked()).toEqual(archive.names);
    expect(existsSync(part)).toBe(false);
  });

  it('starts again from the first byte when the server ignores Range (200 instead of 206)', async () => {
    const url = await serve('no-range');
    mkdirSync(path.join(dir, DOWNLOADS_FOLDER));
    // a stale part file whose bytes differ from the archive: appending to it would break the checksum
    writeFileSync(path.join(dir, DOWNLOADS_FOLDER, 'magi.zip.part'), Buffer.alloc(1000, 7));
    const [r] = await fetchDataSet(entryFor(url, md5(archive.zip)), dir, { attempts: 1 });
    expect(server!.requests[0]!.range).toBe('bytes=1000-');
    expect(r!.bytes).toBe(archive.zip.length);
    expect(unpacked()).toEqual(archive.names);
  });

  it('starts again when a stale part file is longer than the archive (HTTP 416)', async () => {
    const url = await serve('ok');
    mkdirSync(path.join(dir, DOWNLOADS_FOLDER));
    writeFileSync(path.join(dir, DOWNLOADS_FOLDER, 'magi.zip.part'), Buffer.alloc(archive.zip.length + 10, 1));
    await fetchDataSet(entryFor(url, md5(archive.zip)), dir, { attempts: 1 });
    expect(server!.requests.map((r) => r.range)).toEqual([`bytes=${archive.zip.length + 10}-`, undefined]);
    expect(unpacked()).toEqual(archive.names);
  });

  it('rejects a wrong checksum, naming both sums, and leaves nothing in the data folder', async () => {
    const url = await serve('ok');
    const wrong = '0123456789abcdef0123456789abcdef';
    const err = await fetchDataSet(entryFor(url, wrong), dir, { attempts: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(
      `checksum mismatch for magi.zip: expected md5 ${wrong}, received md5 ${md5(archive.zip)}`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('rejects an HTML page sent instead of the archive, by content-type or by its first bytes', async () => {
    const url = await serve('html');
    await expect(fetchDataSet(entryFor(url, undefined), dir, { attempts: 3, backoffMs: 10 })).rejects.toThrow(
      /sent an HTML page instead of the archive \(content-type text\/html/,
    );
    expect(server!.requests).toHaveLength(1); // not retried
    await server!.close();
    const url2 = await serve('html-as-zip');
    await expect(fetchDataSet(entryFor(url2, undefined), dir, { attempts: 1 })).rejects.toThrow(
      /HTML page instead of the archive \(the file starts with an HTML tag\)/,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reports a 404 clearly and does not retry it', async () => {
    const url = await serve('ok');
    const missing = url.replace('magi.zip', 'gone.zip');
    await expect(fetchDataSet(entryFor(missing, undefined), dir, { attempts: 3, backoffMs: 10 })).rejects.toThrow(
      `not found: ${missing} (HTTP 404)`,
    );
    expect(server!.requests).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives up on a server that stalls, saying so', async () => {
    const url = await serve('stall', 100);
    const t0 = Date.now();
    await expect(
      fetchDataSet(entryFor(url, undefined), dir, { attempts: 2, backoffMs: 10, stallTimeoutMs: 300 }),
    ).rejects.toThrow(`download failed after 2 tries: download stalled: no data from ${url} for 0.3 s`);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(server!.requests).toHaveLength(2);
    expect(existsSync(path.join(dir, 'sets'))).toBe(false);
  });

  it('copies from a mirror folder and keeps a kept archive as a file', async () => {
    const mirror = path.join(dir, 'mirror');
    mkdirSync(mirror);
    writeFileSync(path.join(mirror, 'magi.zip'), archive.zip);
    const entry = entryFor('http://127.0.0.1:9/never-used.zip', md5(archive.zip));
    const keep: DataSetEntry = {
      ...entry,
      archives: [{ ...entry.archives[0]!, target: 'sets/kept/magi.zip', unpack: { kind: 'keep' } }],
    };
    const data = path.join(dir, 'data');
    await fetchDataSet(keep, data, { mirror });
    expect(readFileSync(path.join(data, 'sets/kept/magi.zip'))).toEqual(archive.zip);
  });
});
