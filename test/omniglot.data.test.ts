import { mkdtempSync, rmSync, writeFileSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { OMNIGLOT, OMNIGLOT_RUNS, REPO_ROOT, requireData } from './shared-data.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-omniglot-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Omniglot (real data)', () => {
  it('the shipped model scores >= 0.80 on the 400 official one-shot trials', async () => {
    const r = await cli('eval', '--model', path.join(REPO_ROOT, 'models/omniglot'), '--runs', requireData(OMNIGLOT_RUNS), '--json', '--quiet', '--backend', 'wasm');
    expect(r.err).toBe('');
    const report = JSON.parse(r.out);
    expect(report).toMatchObject({ ways: 20, shots: 1, episodes: 20, trials: 400, backend: 'wasm' });
    expect(report.accuracy).toBeGreaterThanOrEqual(0.8);
  });

  it('the pixel nearest-neighbour baseline is far below it (about 0.2)', async () => {
    const r = await cli('eval', path.join(REPO_ROOT, 'config/omniglot.yaml'), '--baseline', 'pixel', '--runs', requireData(OMNIGLOT_RUNS), '--json', '--quiet', '--backend', 'wasm');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.trials).toBe(400);
    expect(report.accuracy).toBeGreaterThan(0.1);
    expect(report.accuracy).toBeLessThan(0.4);
  });

  it('classifies real Omniglot drawings against a support folder', async () => {
    const run = path.join(requireData(OMNIGLOT_RUNS), 'run01');
    const support = path.join(tmp, 'support');
    for (const f of readdirSync(path.join(run, 'training'))) {
      mkdirSync(path.join(support, f.replace('.png', '')), { recursive: true });
      copyFileSync(path.join(run, 'training', f), path.join(support, f.replace('.png', ''), f));
    }
    const q = path.join(run, 'test', 'item01.png'); // its class is class08 (class_labels.txt line 1)
    const r = await cli('classify', '--model', path.join(REPO_ROOT, 'models/omniglot'), '--support', support, q, '--json', '--quiet', '--backend', 'wasm');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res.results).toHaveLength(1);
    expect(res.results[0].ranking.length).toBe(3);
  });

  it('names a corrupt PNG and exits non-zero', async () => {
    const root = path.join(tmp, 'corrupt');
    const src = path.join(requireData(OMNIGLOT), 'images_background', 'Latin');
    for (const ch of ['character01', 'character02', 'character03']) {
      mkdirSync(path.join(root, 'Latin', ch), { recursive: true });
      for (const f of readdirSync(path.join(src, ch)).slice(0, 3)) copyFileSync(path.join(src, ch, f), path.join(root, 'Latin', ch, f));
    }
    const bad = path.join(root, 'Latin', 'character02', 'broken.png');
    writeFileSync(bad, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]));
    const yaml = path.join(tmp, 'corrupt.yaml');
    writeFileSync(yaml, `backend: wasm\ndata:\n  root: ${root}\n  layout: omniglot\n  train: { path: . }\ntrain: { epochs: 1, stepsPerEpoch: 1, batchSize: 4 }\n`);
    const r = await cli('train', yaml, '--out', path.join(tmp, 'm'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toContain('broken.png');
    const skip = await cli('train', yaml, '--out', path.join(tmp, 'm'), '--set', 'data.onBadSample=skip');
    expect(skip.code).toBe(0);
    expect(skip.err).toMatch(/skipped 1 bad sample.*\n.*broken.png/);
  });
});
