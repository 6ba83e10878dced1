import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './shared-data.js';
import { writeToyData } from './toy-data.js';
import {
  NPM_INSTALL_FLAGS,
  childEnv,
  packWorkspace,
  runOk,
  tempDirOutsideRepo,
  type ProcessResult,
} from './pack-workspace.js';

// A plugin author's first hour, for real: `fewshot new-plugin` into a folder outside the repository,
// `npm install` against the packed @fewshot/core (as if from a registry), the generated conformance
// test, then the plugin used by an experiment: `fewshot train` and `fewshot eval` on its own format.

let tmp: string;
let plugin: string;
let install: ProcessResult;
const started = Date.now();

/** The plugin's own installed fewshot: the same @fewshot/core its code imports. */
function fewshot(args: readonly string[]): Promise<ProcessResult> {
  return runOk(path.join(plugin, 'node_modules/.bin/fewshot'), args, {
    cwd: tmp,
    env: childEnv({ FEWSHOT_CACHE: path.join(tmp, 'cache') }),
  });
}

beforeAll(async () => {
  tmp = tempDirOutsideRepo('fewshot-new-plugin-');
  mkdirSync(path.join(tmp, 'tarballs'));
  const packed = await packWorkspace(path.join(tmp, 'tarballs'));
  plugin = path.join(tmp, 'fewshot-vectors');
  await runOk(
    'node',
    [
      path.join(REPO_ROOT, 'packages/core/bin/fewshot.js'),
      'new-plugin',
      'fewshot-vectors',
      '--dir',
      plugin,
      '--core',
      packed['@fewshot/core'].tarball,
    ],
    { cwd: tmp },
  );
  // `prepare` builds the plugin (tsc) as part of the install
  install = await runOk('npm', ['install', ...NPM_INSTALL_FLAGS], { cwd: plugin, timeoutMs: 150_000 });
  process.stderr.write(
    `new-plugin test: npm install of the generated plugin took ${(install.ms / 1000).toFixed(1)} s\n`,
  );
}, 240_000);

afterAll(() => {
  process.stderr.write(`new-plugin test: ${((Date.now() - started) / 1000).toFixed(1)} s in all\n`);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('a plugin made by fewshot new-plugin, installed against the packed core', () => {
  it('installs and builds', () => {
    expect(existsSync(path.join(plugin, 'node_modules/@fewshot/core/package.json'))).toBe(true);
    expect(existsSync(path.join(plugin, 'dist/index.js'))).toBe(true);
    expect(existsSync(path.join(plugin, 'dist/index.d.ts'))).toBe(true);
  });

  it('passes its own tests: the conformance suite on its fixture', async () => {
    const r = await runOk('npm', ['test'], { cwd: plugin, timeoutMs: 120_000 });
    const report = r.stdout + r.stderr;
    expect(report).toMatch(/conformance of .*'vectors'/);
    const [, passed, total] = /Tests:\s+(\d+) passed, (\d+) total/.exec(report) ?? [];
    expect(Number(passed)).toBeGreaterThanOrEqual(10);
    expect(passed).toBe(total);
  }, 120_000);

  it('is listed by fewshot plugins --plugin DIR', async () => {
    const r = await fewshot(['plugins', '--plugin', plugin, '--json']);
    const report = JSON.parse(r.stdout) as {
      plugins: { spec: string; resolved: string }[];
      modalities: { id: string; layouts: string[] }[];
      encoders: { id: string }[];
    };
    expect(report.plugins.map((p) => p.resolved)).toContain(path.join(plugin, 'dist/index.js'));
    expect(report.modalities).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'vectors', layouts: ['folder'] })]),
    );
    expect(report.encoders.map((e) => e.id)).toContain('vectors-dense');
  });

  it('trains, evaluates and classifies with an experiment on data in its format', async () => {
    // separable classes: noisy copies of one random 16-value prototype each; test classes unseen in training
    const data = path.join(tmp, 'data');
    writeToyData(path.join(data, 'train'), 10, 6, 1, 'tr');
    writeToyData(path.join(data, 'test'), 6, 7, 2, 'te');
    // the 7th sample of three test classes is kept apart, to classify later
    const queries = ['te00', 'te03', 'te05'].map((c) => {
      const file = path.join(tmp, 'queries', `${c}.json`);
      mkdirSync(path.dirname(file), { recursive: true });
      renameSync(path.join(data, 'test', c, 's6.json'), file);
      return file;
    });
    const experiment = path.join(tmp, 'vectors.yaml');
    writeFileSync(
      experiment,
      `name: vectors
seed: 3
backend: cpu
modality: vectors
plugins: ['${plugin}']
data:
  root: ${data}
  layout: folder
  preprocess: { length: 16 }
  train: { path: train }
  test: { path: test }
model: { type: siamese, encoder: vectors-dense, head: contrastive }
train: { epochs: 2, stepsPerEpoch: 15, batchSize: 16, learningRate: 0.01, augment: { noise: 0.02 } }
eval: { ways: 4, shots: 1, queries: 2, episodes: 50 }
`,
    );
    const model = path.join(tmp, 'model');
    await fewshot(['train', experiment, '--out', model, '--quiet']);
    expect(existsSync(path.join(model, 'fewshot.json'))).toBe(true);
    const e = await fewshot(['eval', experiment, '--model', model, '--json', '--quiet']);
    const report = JSON.parse(e.stdout) as { ways: number; shots: number; episodes: number; accuracy: number };
    expect(report).toMatchObject({ ways: 4, shots: 1, episodes: 50 });
    expect(report.accuracy).toBeGreaterThan(0.7); // chance is 0.25
    // the model remembers its plugin: classify new files of the plugin's format against a support folder
    const c = await fewshot([
      'classify',
      '--model',
      model,
      '--support',
      path.join(data, 'test'),
      '--json',
      '--quiet',
      ...queries,
    ]);
    const labels = (JSON.parse(c.stdout) as { results: { label: string }[] }).results.map((x) => x.label);
    expect(labels).toEqual(['te00', 'te03', 'te05']);
  }, 120_000);
});
