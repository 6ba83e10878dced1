// Cell keys do not depend on where the repository is checked out, nor on where the data folder is:
// the same bench planned in two copies of a checkout (models and experiments copied, the data folder
// reached through another path) gives the same cell and model keys, so a rerun in the other copy
// reuses the cells.
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadBench, planBench, type BenchPlan } from '@fewshot/core';
import { NAIVE_CONFIG, OMNIGLOT_MODEL } from './bench-fixtures.js';
import { SHARED_DATA, requireData } from './shared-data.js';

const BENCH = `name: portable
seed: 3
backend: wasm
tasks:
  omni:
    modality: image
    root: omniglot
    path: images_evaluation
    include: [Atlantean]
    preprocess: { size: 28 }
    ways: 5
    shots: 1
    episodes: 20
methods:
  model: { model: ../models/omni }
  naive: { experiment: ../config/naive.yaml, set: { train.epochs: 1 } }
  pixel: { baseline: pixel, experiment: ../config/naive.yaml }
cells:
  - { methods: [model, naive, pixel], task: omni, source: omniglot, target: omniglot }
`;

/** A checkout at `root`: bench/portable.yaml, models/omni, config/naive.yaml. */
function checkout(root: string): string {
  mkdirSync(path.join(root, 'bench'), { recursive: true });
  cpSync(OMNIGLOT_MODEL, path.join(root, 'models', 'omni'), { recursive: true });
  cpSync(NAIVE_CONFIG, path.join(root, 'config', 'naive.yaml'));
  writeFileSync(path.join(root, 'bench', 'portable.yaml'), BENCH);
  return path.join(root, 'bench', 'portable.yaml');
}

async function plan(file: string, dataDir: string, out: string): Promise<BenchPlan> {
  const saved = process.env['FEWSHOT_DATA'];
  process.env['FEWSHOT_DATA'] = dataDir;
  try {
    return await planBench(await loadBench(file), out);
  } finally {
    if (saved === undefined) delete process.env['FEWSHOT_DATA'];
    else process.env['FEWSHOT_DATA'] = saved;
  }
}

describe('bench cell keys', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-portable-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('are the same in two checkouts, with the data folder reached through another path', async () => {
    requireData(SHARED_DATA);
    const a = await plan(checkout(path.join(tmp, 'a')), SHARED_DATA, path.join(tmp, 'out-a'));
    const linked = path.join(tmp, 'b-data');
    symlinkSync(SHARED_DATA, linked);
    const b = await plan(checkout(path.join(tmp, 'elsewhere', 'b')), linked, path.join(tmp, 'out-b'));

    expect(a.cells.map((c) => c.id)).toEqual([
      'model@omni/5way-1shot',
      'naive@omni/5way-1shot',
      'pixel@omni/5way-1shot',
    ]);
    expect(b.cells.map((c) => c.key)).toEqual(a.cells.map((c) => c.key));
    expect(b.methods.map((m) => m.modelKey)).toEqual(a.methods.map((m) => m.modelKey));
    expect(b.hash).toBe(a.hash);
    // recorded paths are relative to the bench file, so results.json does not name the checkout
    expect(a.cells.map((c) => c.setup.config['model'] ?? c.setup.config['experiment'])).toEqual([
      '../models/omni',
      '../config/naive.yaml',
      '../config/naive.yaml',
    ]);
    expect(JSON.stringify(a.cells.map((c) => c.setup.config))).not.toContain(tmp);
    // the episodes are the same as well (the key is not blind to them: another seed is another key)
    expect(b.cells[0]!.task.info.dataFingerprint).toBe(a.cells[0]!.task.info.dataFingerprint);
    const reseeded = path.join(tmp, 'a', 'bench', 'reseeded.yaml');
    writeFileSync(reseeded, BENCH.replace('seed: 3', 'seed: 4'));
    const c = await plan(reseeded, SHARED_DATA, path.join(tmp, 'out-c'));
    expect(c.cells[0]!.key).not.toBe(a.cells[0]!.key);
  }, 180_000);
});
