import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { OMNIGLOT, OMNIGLOT_RUNS, REPO_ROOT, requireData } from './shared-data.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-omniglot-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Omniglot (real data)', () => {
  it('the shipped model scores 0.9425 on the 400 official one-shot trials, with the errors it shipped with', async () => {
    // evaluation is deterministic (fixed TTA seed, wasm backend): any change in decoding, the model or
    // scoring moves this figure, so it is checked exactly against the model's own eval.json
    const shipped = JSON.parse(readFileSync(path.join(REPO_ROOT, 'models/omniglot/eval.json'), 'utf8'));
    const r = await cli(
      'eval',
      '--model',
      path.join(REPO_ROOT, 'models/omniglot'),
      '--runs',
      requireData(OMNIGLOT_RUNS),
      '--json',
      '--quiet',
      '--backend',
      'wasm',
    );
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ways: 20, shots: 1, episodes: 20, trials: 400, backend: 'wasm' });
    expect(report.accuracy).toBe(0.9425);
    expect(shipped.accuracy).toBe(0.9425);
    expect(report.errorsByClass).toEqual(shipped.errorsByClass);
  });

  it('the pixel nearest-neighbour baseline is far below it (about 0.2)', async () => {
    const r = await cli(
      'eval',
      path.join(REPO_ROOT, 'config/omniglot.yaml'),
      '--baseline',
      'pixel',
      '--runs',
      requireData(OMNIGLOT_RUNS),
      '--json',
      '--quiet',
      '--backend',
      'wasm',
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.trials).toBe(400);
    expect(report.accuracy).toBeGreaterThan(0.1);
    expect(report.accuracy).toBeLessThan(0.4);
  });

  it('classifies the 20 queries of official run 1 against its 20 drawings: all right but item01, as in eval.json', async () => {
    const run = path.join(requireData(OMNIGLOT_RUNS), 'run01');
    const support = path.join(tmp, 'support');
    for (const f of readdirSync(path.join(run, 'training'))) {
      mkdirSync(path.join(support, f.replace('.png', '')), { recursive: true });
      copyFileSync(path.join(run, 'training', f), path.join(support, f.replace('.png', ''), f));
    }
    // class_labels.txt: one line per query, `test/itemNN.png training/classNN.png`
    const truth = readFileSync(path.join(run, 'class_labels.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => {
        const [query, cls] = line.trim().split(/\s+/) as [string, string];
        return { file: path.join(OMNIGLOT_RUNS, query), label: path.basename(cls, '.png') };
      });
    expect(truth).toHaveLength(20);
    const r = await cli(
      'classify',
      '--model',
      path.join(REPO_ROOT, 'models/omniglot'),
      '--support',
      support,
      ...truth.map((t) => t.file),
      '--json',
      '--quiet',
      '--backend',
      'wasm',
    );
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as {
      results: { file: string; label: string; ranking: { label: string; score: number }[] }[];
    };
    expect(res.results.map((x) => x.file)).toEqual(truth.map((t) => t.file));
    const wrong = res.results.filter((x, i) => x.label !== truth[i]!.label).map((x) => path.basename(x.file));
    // the shipped model's one error in run 1 (eval.json: errorsByClass run01/class08.png) is item01, whose class is class08
    expect(truth[0]).toEqual({ file: path.join(run, 'test', 'item01.png'), label: 'class08' });
    expect(wrong).toEqual(['item01.png']);
    for (const x of res.results) {
      expect(x.ranking).toHaveLength(3);
      expect(x.ranking[0]!.label).toBe(x.label);
      expect(x.ranking[0]!.score).toBeGreaterThanOrEqual(x.ranking[1]!.score);
      expect(x.ranking[1]!.score).toBeGreaterThanOrEqual(x.ranking[2]!.score);
    }
    // its right class is still among the three best
    expect(res.results[0]!.ranking.map((x) => x.label)).toContain('class08');
  });

  it('names a corrupt PNG and exits non-zero', async () => {
    const root = path.join(tmp, 'corrupt');
    const src = path.join(requireData(OMNIGLOT), 'images_background', 'Latin');
    for (const ch of ['character01', 'character02', 'character03']) {
      mkdirSync(path.join(root, 'Latin', ch), { recursive: true });
      for (const f of readdirSync(path.join(src, ch)).slice(0, 3))
        copyFileSync(path.join(src, ch, f), path.join(root, 'Latin', ch, f));
    }
    const bad = path.join(root, 'Latin', 'character02', 'broken.png');
    writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]));
    const yaml = path.join(tmp, 'corrupt.yaml');
    writeFileSync(
      yaml,
      `backend: wasm\ndata:\n  root: ${root}\n  layout: omniglot\n  train: { path: . }\ntrain: { epochs: 1, stepsPerEpoch: 1, batchSize: 4 }\n`,
    );
    const r = await cli('train', yaml, '--out', path.join(tmp, 'm'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain('broken.png');
    const skip = await cli('train', yaml, '--out', path.join(tmp, 'm'), '--set', 'data.onBadSample=skip');
    expect(skip.code).toBe(0);
    expect(skip.err).toMatch(/skipped 1 bad sample.*\n.*broken.png/);
  });
});
