import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluate, trainExperiment, type ProgressSink } from '@fewshot/core';
import { cli } from './run-cli-capture.js';
import { REPO_ROOT, SHARED_DATA, requireData } from './shared-data.js';

// core's test helpers (a zip builder and a 127.0.0.1 server), not part of its public entry
const { serveFiles, zipOf } = (await import(
  path.join(REPO_ROOT, 'packages/core/dist/data-sets/test-support.js')
)) as typeof import('../packages/core/dist/data-sets/test-support.js');

/** The registry's FSDD archive name: a mirror holding a file of this name serves `fewshot data fetch fsdd`. */
const FSDD_ZIP = 'free-spoken-digit-dataset-26eb9aa.zip';
const REGEX = '^(?<digit>\\d)_(?<speaker>[a-z]+)_(?<take>\\d+)\\.wav$';

/** A small FSDD-shaped archive: digits 0-4 of two speakers, takes 0-1, real recordings, under a generated top folder. */
async function smallFsdd(): Promise<Buffer> {
  const recordings = path.join(requireData(path.join(SHARED_DATA, 'fsdd')), 'recordings');
  const files: Record<string, Buffer> = {
    'free-spoken-digit-dataset-26eb9aa/README.md': Buffer.from('a small copy\n'),
  };
  for (const digit of [0, 1, 2, 3, 4]) {
    for (const speaker of ['george', 'jackson']) {
      for (const take of [0, 1]) {
        const name = `${digit}_${speaker}_${take}.wav`;
        files[`free-spoken-digit-dataset-26eb9aa/recordings/${name}`] = readFileSync(path.join(recordings, name));
      }
    }
  }
  return zipOf(files);
}

/** An experiment reading `<dataDir>/fsdd/recordings` (the registry's FSDD folder) as its test split. */
function experiment(dir: string, dataDir: string): string {
  const file = path.join(dir, 'fsdd-small.yaml');
  writeFileSync(
    file,
    `name: fsdd-small
seed: 5
backend: wasm
modality: audio
data:
  root: ${path.join(dataDir, 'fsdd', 'recordings')}
  layout: pattern
  cache: false
  preprocess: { sampleRate: 8000, duration: 0.5 }
  test: { path: ., options: { regex: '${REGEX}', label: '{digit}' } }
model: { encoder: audio-conv1d, encoderOptions: { filters: 4 }, head: contrastive }
eval: { ways: 5, shots: 1, queries: 1, episodes: 10 }
`,
  );
  return file;
}

function recording(): ProgressSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, log: (line) => void lines.push(line), start: () => ({ tick() {}, done() {} }) };
}

describe('--fetch: train and eval fetch a missing registry data set', () => {
  let tmp: string;
  let zip: Buffer;
  beforeAll(async () => {
    zip = await smallFsdd();
  });
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-fetch-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('evaluate, trainExperiment and fewshot train with fetch bring FSDD from a mirror folder, then run', async () => {
    const mirror = path.join(tmp, 'mirror');
    mkdirSync(mirror);
    writeFileSync(path.join(mirror, FSDD_ZIP), zip);
    const data = path.join(tmp, 'data');
    const progress = recording();
    const report = await evaluate({
      baseline: 'dtw',
      experiment: experiment(tmp, data),
      fetch: true,
      mirror,
      progress,
    });
    expect(readdirSync(path.join(data, 'fsdd', 'recordings')).sort()).toHaveLength(20);
    expect(progress.lines).toContain(`fetching fsdd into ${data} (missing: ${path.join(data, 'fsdd', 'recordings')})`);
    expect(report.episodes).toBe(10);
    expect(report.ways).toBe(5);

    // training (here: the model saved as built, then evaluated) fetches what it reads as well
    const data2 = path.join(tmp, 'data2');
    const summary = await trainExperiment(experiment(tmp, data2), {
      out: path.join(tmp, 'model'),
      overrides: ['train.epochs=0'],
      fetch: true,
      mirror,
    });
    expect(existsSync(path.join(data2, 'fsdd', 'recordings', '4_jackson_1.wav'))).toBe(true);
    expect(summary.eval?.episodes).toBe(10);

    // and fewshot train --fetch, from the mirror folder
    const data3 = path.join(tmp, 'data3');
    const t = await cli(
      'train',
      experiment(tmp, data3),
      '--out',
      path.join(tmp, 'model3'),
      '--set',
      'train.epochs=0',
      '--fetch',
      '--mirror',
      mirror,
      '--json',
    );
    expect(t.code).toBe(0);
    expect(t.err).toContain(`copying ${path.join(mirror, FSDD_ZIP)}`);
    expect(readdirSync(path.join(data3, 'fsdd', 'recordings'))).toHaveLength(20);
    expect(JSON.parse(t.out)).toMatchObject({ stoppedBecause: 'not-trained', eval: { episodes: 10 } });
  }, 120_000);

  it('fewshot eval names the fetch command without --fetch, and fetches over HTTP with --fetch --mirror', async () => {
    const data = path.join(tmp, 'data');
    const yaml = experiment(tmp, data);
    const missing = await cli('eval', yaml, '--baseline', 'dtw');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`data folder not found: ${path.join(data, 'fsdd', 'recordings')}`);
    expect(missing.err).toContain(`fetch it with: fewshot data fetch fsdd --to ${data}`);
    expect(existsSync(data)).toBe(false);

    const server = await serveFiles({ [`/${FSDD_ZIP}`]: { body: zip } });
    try {
      const r = await cli('eval', yaml, '--baseline', 'dtw', '--fetch', '--mirror', server.url, '--json');
      expect(r.code).toBe(0);
      expect(r.err).toContain(`fetching fsdd into ${data}`);
      expect(r.err).toContain(`downloading ${server.url}/${FSDD_ZIP}`);
      expect(JSON.parse(r.out)).toMatchObject({ ways: 5, episodes: 10, modelKind: 'baseline:dtw' });
      expect(server.requests.map((q) => q.path)).toEqual([`/${FSDD_ZIP}`]);
      // present now: a second --fetch downloads nothing
      const again = await cli('eval', yaml, '--baseline', 'dtw', '--fetch', '--mirror', server.url, '--quiet');
      expect(again.code).toBe(0);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  }, 120_000);

  it('fewshot bench --fetch brings a missing data set a task reads, then runs the bench', async () => {
    const data = path.join(tmp, 'data');
    const mirror = path.join(tmp, 'mirror');
    mkdirSync(mirror);
    writeFileSync(path.join(mirror, FSDD_ZIP), zip);
    const bench = path.join(tmp, 'bench.yaml');
    writeFileSync(
      bench,
      `name: fetch-bench
seed: 3
backend: wasm
tasks:
  digits:
    modality: audio
    root: ${path.join(data, 'fsdd')}
    path: recordings
    layout: pattern
    options: { regex: '${REGEX}', label: '{digit}' }
    preprocess: { sampleRate: 8000, duration: 0.5 }
    ways: 5
    shots: 1
    episodes: 10
methods:
  dtw: { baseline: dtw }
cells:
  - { method: dtw, task: digits, source: none, target: fsdd }
`,
    );
    const out = path.join(tmp, 'out');
    const missing = await cli('bench', bench, '--out', out);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain(`fetch it with: fewshot data fetch fsdd --to ${data}`);

    const r = await cli('bench', bench, '--out', out, '--fetch', '--mirror', mirror);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`fetching fsdd into ${data}`);
    expect(readdirSync(path.join(data, 'fsdd', 'recordings'))).toHaveLength(20);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      cells: { method: string; episodes: number }[];
    };
    expect(results.cells.map((c) => [c.method, c.episodes])).toEqual([['dtw', 10]]);
  }, 120_000);
});
