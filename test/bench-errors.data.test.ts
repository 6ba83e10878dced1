import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fewshot, naiveMethod, writeBench } from './bench-fixtures.js';

// A bad bench file fails before any training, naming file:line:col and the key.

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-errors-'));
const cache = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `file:line:col` of the first line of `file` containing `text` (col: where `at` starts on it). */
function where(file: string, text: string, at = text): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  return `${file}:${i + 1}:${lines[i]!.indexOf(at) + 1}`;
}

async function fails(
  name: string,
  opts: Parameters<typeof writeBench>[1],
  edit?: (text: string) => string,
): Promise<{ file: string; err: string; out: string }> {
  const file = writeBench(path.join(tmp, `${name}.yaml`), opts);
  if (edit) writeFileSync(file, edit(readFileSync(file, 'utf8')));
  const out = path.join(tmp, name);
  const r = await fewshot(['bench', file, '--out', out], { cache });
  expect(r.code).toBe(1);
  // nothing trained, nothing scored
  expect(existsSync(path.join(out, 'models'))).toBe(false);
  expect(existsSync(path.join(out, 'cells'))).toBe(false);
  expect(r.err).not.toMatch(/training|fewshot train/);
  return { file, err: r.err, out: r.out };
}

const methods = `${naiveMethod('naive')}\n  pixel: { baseline: pixel }`;

describe('fewshot bench: bad bench files', () => {
  it('names an unknown method at its line, with the known ones', async () => {
    const { file, err } = await fails('unknown-method', {
      methods,
      cells: '  - { methods: [naive, pixle], task: omni, source: a, target: b }',
      ways: '5',
      shots: '1',
    });
    expect(err).toContain(`${where(file, 'pixle')}: cells.0.methods.1: unknown method 'pixle' (methods: naive, pixel)`);
  });

  it('names a task on a missing data set at its path', async () => {
    const { file, err } = await fails(
      'missing-data',
      { methods, cells: '  - { methods: [naive, pixel], task: omni, source: a, target: b }', ways: '5', shots: '1' },
      (t) => t.replace('path: images_evaluation', 'path: images_nowhere'),
    );
    expect(err).toContain(`${where(file, 'images_nowhere')}: tasks.omni.path: data set not found: `);
    expect(err).toContain('images_nowhere');
  });

  it('says which fetch command brings a missing registry data set', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'fewshot-no-data-'));
    const missing = path.join(empty, 'omniglot', 'images_evaluation');
    const { err } = await fails(
      'missing-registry-data',
      { methods, cells: '  - { methods: [naive, pixel], task: omni, source: a, target: b }', ways: '5', shots: '1' },
      (t) => t.replace('path: images_evaluation', `path: ${missing}`),
    );
    expect(err).toContain(
      `tasks.omni.path: data set not found: ${missing} (fetch it with: fewshot data fetch omniglot-evaluation --to ${empty})`,
    );
    rmSync(empty, { recursive: true, force: true });
  });

  it('names ways above the classes available, and an unknown baseline, together', async () => {
    const { file, err } = await fails('too-many-ways', {
      methods: `${naiveMethod('naive')}\n  pixel: { baseline: pixels }`,
      cells: '  - { methods: [naive, pixel], task: omni, source: a, target: b }',
      ways: '[5, 200]',
      shots: '1',
    });
    expect(err).toMatch(/the bench file has 2 problems/);
    expect(err).toContain(
      `${where(file, 'ways: [5, 200]', '[5, 200]')}: tasks.omni.ways: 200-way episodes need 200 classes, but `,
    );
    expect(err).toContain(`${where(file, 'baseline: pixels', 'pixels')}: methods.pixel.baseline: `);
  });

  it('names a misspelt key with a suggestion', async () => {
    const { file, err } = await fails(
      'misspelt',
      { methods, cells: '  - { methods: [naive, pixel], task: omni, source: a, target: b }', ways: '5', shots: '1' },
      (t) => t.replace('    episodes: 60', '    episode: 60'),
    );
    expect(err).toContain(
      `${where(file, 'episode: 60')}: tasks.omni.episode: unknown key 'episode' (did you mean 'episodes'?)`,
    );
  });
});
