import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  decodeCached,
  loadConfig,
  loadModel,
  openExperiment,
  PairModel,
  splitSpec,
  type Experiment,
  type LabeledSet,
} from '@fewshot/core';
import { OMNIGLOT, REPO_ROOT, requireData } from './shared-data.js';

// Nothing half-written: child processes that save model folders or fill the decoded-data cache are
// SIGKILLed at random moments, and what they leave is always the old or the new version, and loads.

// real processes on a shared 2-core machine: minutes when it is busy, seconds when idle
const SLOW = 900_000;
/**
 * Kills per test: 8 of the model saver and 5 of the cache filler in CI (each kill starts a process that
 * loads tfjs, ~2-3 s); FEWSHOT_KILL_ROUNDS=N runs N of each (20 / 10 were checked by hand).
 */
const ROUNDS = process.env['FEWSHOT_KILL_ROUNDS'] ? Number(process.env['FEWSHOT_KILL_ROUNDS']) : undefined;
const MODEL_KILLS = ROUNDS ?? 8;
const CACHE_KILLS = ROUNDS ?? 5;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const core = (p: string): string => pathToFileURL(path.join(REPO_ROOT, 'packages/core/dist', p)).href;

/** A seeded generator of kill delays (the test is the same every run). */
function delays(seed: number): () => number {
  let x = seed;
  return () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 2 ** 32;
  };
}

/** Start `node script args`, resolve once it prints "ready". */
function start(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: tmp,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += String(d)));
    child.stdout!.on('data', (d: Buffer) => {
      if (String(d).includes('ready')) resolve(child);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('model folders', () => {
  const MODEL_FILES = [
    'fewshot.json',
    'version.txt',
    'encoder/model.json',
    'encoder/weights.bin',
    'head/model.json',
    'head/weights.bin',
  ];
  const versions: Record<string, Record<string, Buffer>> = {};
  const target = path.join(tmp, 'model');
  const script = path.join(tmp, 'save-models.mjs');

  beforeAll(async () => {
    // two versions of a real model: the shipped Omniglot model, and the same with changed weights
    const model = await PairModel.load(path.join(REPO_ROOT, 'models/omniglot'));
    try {
      await model.save(path.join(tmp, 'A'), { 'version.txt': 'A' });
      const v = model.trainableVariables[0]!;
      tf.tidy(() => v.assign(tf.add(v, 0.01)));
      await model.save(path.join(tmp, 'B'), { 'version.txt': 'B' });
    } finally {
      model.dispose();
    }
    for (const k of ['A', 'B'])
      versions[k] = Object.fromEntries(MODEL_FILES.map((f) => [f, readFileSync(path.join(tmp, k, f))]));
    mkdirSync(target);
    writeFileSync(path.join(target, 'README.md'), 'notes kept across saves');
    writeFileSync(
      script,
      `const { PairModel } = await import(${JSON.stringify(core('model/pair-model.js'))});
const { writeDirAtomic } = await import(${JSON.stringify(core('io/atomic-write.js'))});
const [a, b, target] = process.argv.slice(2);
const models = [await PairModel.load(a), await PairModel.load(b)];
process.stdout.write('ready\\n');
for (let i = 0; ; i++) {
  const k = i % 2;
  await writeDirAtomic(target, (tmp) => models[k].save(tmp, { 'version.txt': k ? 'B' : 'A' }), { carryOver: true });
}
`,
    );
  }, SLOW);

  it(
    `saved in a loop and SIGKILLed ${MODEL_KILLS} times at random moments: each time all of one version, and it loads`,
    async () => {
      const next = delays(21);
      const seen = new Set<string>();
      let midWrite = 0; // kills that left a temporary or old folder: the child was inside a save
      for (let i = 0; i < MODEL_KILLS; i++) {
        const child = await start(script, [path.join(tmp, 'A'), path.join(tmp, 'B'), target]);
        await sleep(20 + next() * 400);
        await killed(child);
        // what the next writer (or `fewshot train`) does first: put back a folder a kill between two renames left aside
        const { recoverDir } = (await import(core('io/atomic-write.js'))) as {
          recoverDir: (dir: string) => Promise<string[]>;
        };
        if ((await recoverDir(target)).length > 0) midWrite++;
        const version = existsSync(path.join(target, 'version.txt'))
          ? readFileSync(path.join(target, 'version.txt'), 'utf8')
          : 'none';
        // no model only while the first save was not done yet: once there is one, there always is
        if (seen.size > 0) expect(['A', 'B']).toContain(version);
        else expect(['A', 'B', 'none']).toContain(version);
        if (version !== 'none') seen.add(version);
        if (version !== 'none') {
          for (const f of MODEL_FILES)
            expect([f, readFileSync(path.join(target, f)).equals(versions[version]![f]!)]).toEqual([f, true]);
          const loaded = await loadModel(target);
          loaded.dispose?.();
        }
        expect(readFileSync(path.join(target, 'README.md'), 'utf8')).toBe('notes kept across saves');
      }
      expect(seen.size).toBeGreaterThan(0);
      expect(midWrite).toBeGreaterThan(0); // the child saves all the time: some kills land inside a save
    },
    SLOW,
  );
});

describe('decoded-data cache', () => {
  const cacheDir = path.join(tmp, 'cache');
  const config = path.join(tmp, 'cache.yaml');
  const script = path.join(tmp, 'fill-cache.mjs');
  let exp: Experiment;
  let set: LabeledSet;
  let reference: Uint8Array;

  beforeAll(async () => {
    writeFileSync(
      config,
      `name: cache-writes
backend: cpu
modality: image
data:
  root: ${requireData(OMNIGLOT)}
  layout: omniglot
  preprocess: { size: 48 }
  storage: float32
  train: { path: images_background, include: [Latin] }
`,
    );
    writeFileSync(
      script,
      `import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
const { loadConfig, openExperiment, loadSplits } = await import(${JSON.stringify(core('index.js'))});
const [file, mode] = process.argv.slice(2);
const exp = await openExperiment(await loadConfig(file));
process.stdout.write('ready\\n');
for (;;) {
  await loadSplits(exp, ['train']);
  if (mode === 'once') break;
  // drop the manifest: the next call decodes again and rewrites the entry
  const dir = process.env.FEWSHOT_CACHE;
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) rmSync(path.join(dir, f), { force: true });
}
process.stdout.write('done\\n');
`,
    );
    exp = await openExperiment(await loadConfig(config));
    set = await exp.modality.load(splitSpec(exp, 'train')!);
    const fresh = await decodeCached(set, exp.modality, exp.preprocess, { cache: false, storage: 'float32' });
    reference = new Uint8Array(
      fresh.store.data.buffer.slice(
        fresh.store.data.byteOffset,
        fresh.store.data.byteOffset + fresh.store.data.byteLength,
      ),
    );
  }, SLOW);

  /** The cache as a later run finds it: a hit with the reference rows, or a miss that decodes; never an unusable entry. */
  async function expectSound(): Promise<boolean> {
    const lines: string[] = [];
    const progress = { log: (l: string) => lines.push(l), start: () => ({ tick() {}, done() {} }) };
    const r = await decodeCached(set, exp.modality, exp.preprocess, { cacheDir, storage: 'float32', progress });
    expect(lines.filter((l) => l.includes('unusable'))).toEqual([]);
    const d = r.store.data;
    expect(Buffer.from(d.buffer, d.byteOffset, d.byteLength).equals(reference)).toBe(true);
    return r.cache.hit;
  }

  it(
    `filled in a loop and SIGKILLed ${CACHE_KILLS} times at random moments: an entry is whole or absent, and loads`,
    async () => {
      const next = delays(7);
      for (let i = 0; i < CACHE_KILLS; i++) {
        const child = await start(script, [config, 'loop'], { FEWSHOT_CACHE: cacheDir });
        await sleep(50 + next() * 1500);
        await killed(child);
        await expectSound();
      }
      expect(await expectSound()).toBe(true);
    },
    SLOW,
  );

  it(
    'filled by two processes at once: one sound entry, no temporaries left',
    async () => {
      rmSync(cacheDir, { recursive: true, force: true });
      const run = () =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [script, config, 'once'], {
            cwd: tmp,
            env: { ...process.env, FEWSHOT_CACHE: cacheDir },
            stdio: 'ignore',
          });
          child.on('exit', (code) => resolve(code));
        });
      expect(await Promise.all([run(), run()])).toEqual([0, 0]);
      const names = readdirSync(cacheDir).sort();
      expect(names.filter((n) => n.endsWith('.bin'))).toHaveLength(1);
      expect(names.filter((n) => n.endsWith('.json'))).toHaveLength(1);
      expect(names).toHaveLength(2);
      expect(await expectSound()).toBe(true);
    },
    SLOW,
  );
});
