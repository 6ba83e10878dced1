import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createContainer, verifyDataSet, type DataSetEntry } from '@fewshot/core';
import { cli } from './run-cli-capture.js';
import { OMNIGLOT, OMNIGLOT_RUNS, REPO_ROOT, SHARED_DATA, requireData } from './shared-data.js';

const MAGI = path.join(OMNIGLOT, 'images_background', 'Alphabet_of_the_Magi');
// core's test helpers (a zip builder and a misbehaving 127.0.0.1 server), not part of its public entry
const { serveFiles, zipOf } = (await import(
  path.join(REPO_ROOT, 'packages/core/dist/data-sets/test-support.js')
)) as typeof import('../packages/core/dist/data-sets/test-support.js');

describe('fewshot data (CLI)', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-data-cli-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('lists the supported data sets and which are present', async () => {
    requireData(SHARED_DATA);
    const r = await cli('data', 'list', '--json', '--dir', SHARED_DATA);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as {
      dataSets: { name: string; status: string; archives: { md5: string | null }[] }[];
    };
    const status = Object.fromEntries(list.dataSets.map((d) => [d.name, d.status]));
    expect(status).toEqual({
      'omniglot-background': 'present',
      'omniglot-evaluation': 'present',
      'omniglot-runs': 'present',
      'omniglot-strokes': 'present',
      'omniglot-drawing-videos': 'present',
      fsdd: 'present',
      'arabic-speech-commands': 'present',
    });
    expect(list.dataSets.find((d) => d.name === 'omniglot-background')!.archives[0]!.md5).toBe(
      '68d2efa1b9178cc56df9314c21c6e718',
    );
    const empty = await cli('data', 'list', '--dir', tmp);
    expect(empty.out).toMatch(/omniglot-background\s+missing\s+omniglot\/images_background\s+MIT/);
  });

  it('verifies every data set of the shared data (decoding the first file of each class)', async () => {
    const r = await cli('data', 'verify', '--dir', requireData(SHARED_DATA), '--sample', '1', '--quiet');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    for (const name of [
      'omniglot-background',
      'omniglot-evaluation',
      'omniglot-runs',
      'omniglot-strokes',
      'omniglot-drawing-videos',
      'fsdd',
      'arabic-speech-commands',
    ]) {
      expect(r.out).toContain(`${name}: ok:`);
    }
    expect(r.out).toContain(
      'omniglot-background: ok: 30 groups, 964 classes, 19280 files (compared with: official release); 964 decoded',
    );
  }, 120_000);

  it('fails on a copy with one file removed and one truncated, naming both', async () => {
    const root = path.join(tmp, 'omniglot', 'images_background');
    cpSync(requireData(MAGI), path.join(root, 'Alphabet_of_the_Magi'), { recursive: true });
    const ch = path.join(root, 'Alphabet_of_the_Magi', 'character03');
    const [first, second] = readdirSync(ch).sort();
    unlinkSync(path.join(ch, first!));
    truncateSync(path.join(ch, second!), 100);
    // the library, with an entry that expects exactly this one alphabet: only the two files are reported
    const entry: DataSetEntry = {
      name: 'magi',
      title: 'one alphabet',
      path: 'omniglot/images_background',
      homepage: '',
      licence: 'MIT',
      citation: '',
      archives: [],
      expect: {
        kind: 'samples',
        modality: 'image',
        layout: 'omniglot',
        counts: [{ label: 'one alphabet', groups: 1, classes: 20, perClass: 20 }],
        sampleKey: (f) => f.slice(f.indexOf('_')),
        sampleName: (k, label, sibling) => `${label}/${sibling.slice(0, sibling.indexOf('_'))}${k}`,
      },
    };
    const { registry } = await createContainer([], REPO_ROOT);
    const report = await verifyDataSet(entry, tmp, { modality: (id) => registry.modality(id) });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual(['Alphabet_of_the_Magi/character03: 19 files, expected 20']);
    expect(report.missing).toEqual([`Alphabet_of_the_Magi/character03/${first}`]);
    expect(report.damaged.map((d) => d.path)).toEqual([`Alphabet_of_the_Magi/character03/${second}`]);
    expect(report.extra).toEqual([]);
    // the CLI names them too, and exits non-zero
    const r = await cli('data', 'verify', 'omniglot-background', '--dir', tmp, '--quiet');
    expect(r.code).toBe(1);
    expect(r.out).toContain(`missing: Alphabet_of_the_Magi/character03/${first}`);
    expect(r.out).toContain(`damaged: Alphabet_of_the_Magi/character03/${second}`);
    expect(r.err).toContain('Data error: omniglot-background did not pass verification');
  });

  it('checks a class-per-folder data set: a one-sample class, an unreadable file and a duplicate', async () => {
    const files = readdirSync(requireData(path.join(MAGI, 'character01'))).sort();
    for (const [cls, from, n] of [
      ['alpha', 'character01', 3],
      ['beta', 'character02', 3],
      ['gamma', 'character03', 3],
    ] as const) {
      mkdirSync(path.join(tmp, cls));
      for (const f of readdirSync(path.join(MAGI, from)).sort().slice(0, n))
        cpSync(path.join(MAGI, from, f), path.join(tmp, cls, f));
    }
    mkdirSync(path.join(tmp, 'delta'));
    cpSync(
      path.join(MAGI, 'character04', readdirSync(path.join(MAGI, 'character04')).sort()[0]!),
      path.join(tmp, 'delta', 'only.png'),
    );
    writeFileSync(path.join(tmp, 'beta', 'broken.png'), 'not a png');
    cpSync(path.join(MAGI, 'character01', files[0]!), path.join(tmp, 'gamma', 'copy.png'));
    const r = await cli(
      'data',
      'check',
      tmp,
      '--modality',
      'image',
      '--ways',
      '4',
      '--shots',
      '1',
      '--queries',
      '1',
      '--quiet',
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/delta\s+1 {2}too small: 1 readable, an episode needs 2 \(shots 1 \+ queries 1\)/);
    expect(r.out).toContain('unreadable: beta/broken.png');
    expect(r.out).toContain(`identical files in different classes: alpha/${files[0]}, gamma/copy.png`);
    expect(r.err).toContain('only 3 of 4 classes have the 2 readable samples an episode needs');
    expect(r.err).toContain('lower --ways to 3');
    // with settings the data can serve, only the unreadable file stands in the way
    rmSync(path.join(tmp, 'beta', 'broken.png'));
    const ok = await cli('data', 'check', tmp, '--modality', 'image', '--ways', '3', '--quiet');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('ok for 3-way 1-shot episodes with 1 query per class');
  });

  it('fetches from a mirror on 127.0.0.1 into --to, then verifies it', async () => {
    const files: Record<string, Buffer> = {};
    for (const run of readdirSync(requireData(OMNIGLOT_RUNS))
      .filter((r) => r.startsWith('run'))
      .sort()) {
      const dir = path.join(OMNIGLOT_RUNS, run);
      files[`${run}/class_labels.txt`] = readFileSync(path.join(dir, 'class_labels.txt'));
      for (const sub of ['training', 'test'])
        for (const f of readdirSync(path.join(dir, sub)))
          files[`${run}/${sub}/${f}`] = readFileSync(path.join(dir, sub, f));
    }
    files['__MACOSX/run01/._class_labels.txt'] = Buffer.from('junk');
    const server = await serveFiles({ '/all_runs.zip': { body: await zipOf(files) } });
    try {
      const data = path.join(tmp, 'data');
      const r = await cli('data', 'fetch', 'omniglot-runs', '--to', data, '--mirror', `${server.url}/`);
      expect(r.code).toBe(0);
      expect(r.err).toContain(`downloading ${server.url}/all_runs.zip`);
      expect(r.err).toContain('all_runs.zip: no checksum is published; its sha256 is');
      expect(r.out).toContain(`fetched: ${path.join(data, 'omniglot', 'one-shot-classification')}`);
      expect(existsSync(path.join(data, 'omniglot', 'one-shot-classification', '__MACOSX'))).toBe(false);
      const v = await cli('data', 'verify', 'omniglot-runs', '--dir', data, '--sample', '1', '--quiet');
      expect(v.out).toContain('omniglot-runs: ok: 20 classes, 800 files');
      expect(v.code).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('a train whose registry data folder is missing names the fetch command', async () => {
    const saved = process.env['FEWSHOT_DATA'];
    process.env['FEWSHOT_DATA'] = tmp;
    try {
      const r = await cli(
        'train',
        path.join(REPO_ROOT, 'config', 'fsdd-speakers.yaml'),
        '--out',
        path.join(tmp, 'run'),
        '--quiet',
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain(`data folder not found: ${path.join(tmp, 'fsdd', 'recordings')}`);
      expect(r.err).toContain('fetch it with: fewshot data fetch fsdd\n');
    } finally {
      if (saved === undefined) delete process.env['FEWSHOT_DATA'];
      else process.env['FEWSHOT_DATA'] = saved;
    }
  });
});
