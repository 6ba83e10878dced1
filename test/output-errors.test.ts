import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { REPO_ROOT } from './shared-data.js';
import { writeBench } from './bench-fixtures.js';

// An output folder that cannot be written is a clear error naming the path, before any data is read
// or anything trained: the experiment below names a data folder that does not exist, so reaching it
// would give a different (data) error; so do the model's and the bench's data, read from a data root
// that does not exist.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-out-errors-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
process.env['FEWSHOT_DATA'] = path.join(tmp, 'no-such-data');

const experiment = path.join(tmp, 'exp.yaml');
writeFileSync(
  experiment,
  `name: out-errors
backend: cpu
modality: image
data:
  root: ${path.join(tmp, 'no-such-data')}
  train: { path: train }
  test: { path: test }
train: { epochs: 1, stepsPerEpoch: 1 }
`,
);
const bench = writeBench(path.join(tmp, 'bench.yaml'), {
  methods: '  pixel: { baseline: pixel }',
  cells: '  - { methods: [pixel], task: omni, source: a, target: b }',
  ways: '5',
  shots: '1',
});

const aFile = path.join(tmp, 'taken.txt');
writeFileSync(aFile, 'not a folder');

/** A folder nothing can be created in: /sys for root (whom permissions do not stop), else a read-only folder. */
function unwritable(): string {
  if (process.getuid?.() === 0) return path.join('/sys', 'fewshot-out');
  const d = path.join(tmp, 'read-only');
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o555);
  return path.join(d, 'out');
}

const commands: [string, (out: string) => string[]][] = [
  ['train', (out) => ['train', experiment, '--out', out]],
  ['eval --out', (out) => ['eval', '--model', path.join(REPO_ROOT, 'models/omniglot'), '--out', out, '--json']],
  ['bench --out', (out) => ['bench', bench, '--out', out]],
];

describe.each(commands)('%s', (_name, args) => {
  it('names an output path that is a file, before reading any data', async () => {
    const r = await cli(...args(aFile));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Config error: output folder ${aFile} is a file, not a folder`);
    expect(r.err).not.toMatch(/Data error|no-such-data|epoch|decod/);
    expect(r.out).toBe('');
  });

  it('names an output path below a file', async () => {
    const r = await cli(...args(path.join(aFile, 'model')));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `Config error: output folder ${path.join(aFile, 'model')}: a part of this path is a file, not a folder`,
    );
  });

  it('names an output folder that cannot be written', async () => {
    const target = unwritable();
    const r = await cli(...args(target));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `Config error: output folder ${target} cannot be written .*: (permission denied|read-only file system)`,
      ),
    );
    expect(r.err).not.toMatch(/Data error|no-such-data|epoch/);
  });
});

it('train refuses an output folder that holds the current folder (it would be replaced)', async () => {
  const r = await cli('train', experiment, '--out', process.cwd());
  expect(r.code).toBe(1);
  expect(r.err).toContain(`output folder ${process.cwd()} holds the current folder`);
  expect(
    readdirSync(tmp)
      .filter((n) => n !== 'read-only')
      .sort(),
  ).toEqual(['bench.yaml', 'exp.yaml', 'taken.txt']);
});
