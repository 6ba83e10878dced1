import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { OMNIGLOT, REPO_ROOT, requireData } from './shared-data.js';
import {
  WORKSPACE_PACKAGES,
  childEnv,
  installTarballs,
  packWorkspace,
  runOk,
  tempDirOutsideRepo,
  type PackedPackage,
  type ProcessResult,
  type WorkspacePackage,
} from './pack-workspace.js';

// The published form of fewshot: `npm pack` of every workspace package, installed into an empty folder
// outside the repository as a user installing from a registry would, then the installed `fewshot`
// command run for real (help, plugins, and classifying Omniglot drawings with the shipped model).

let tmp: string;
let packed: Record<WorkspacePackage, PackedPackage>;
let app: string;
let install: ProcessResult;

function fewshot(args: readonly string[]): Promise<ProcessResult> {
  return runOk(path.join(app, 'node_modules/.bin/fewshot'), args, {
    cwd: app,
    env: childEnv({ FEWSHOT_CACHE: path.join(tmp, 'cache') }),
  });
}

beforeAll(async () => {
  tmp = tempDirOutsideRepo('fewshot-packaging-');
  mkdirSync(path.join(tmp, 'tarballs'));
  packed = await packWorkspace(path.join(tmp, 'tarballs'));
  app = path.join(tmp, 'app');
  mkdirSync(app);
  install = await installTarballs(
    app,
    Object.values(packed).map((p) => p.tarball),
  );
  process.stderr.write(`packaging test: npm install of the 4 tarballs took ${(install.ms / 1000).toFixed(1)} s\n`);
}, 240_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack of the workspace packages', () => {
  it.each(Object.keys(WORKSPACE_PACKAGES) as WorkspacePackage[])(
    '%s holds dist, types, README and LICENSE, and no tests or sources',
    (name) => {
      const files = packed[name].files;
      expect(files).toEqual(
        expect.arrayContaining(['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']),
      );
      expect(files.filter((f) => /\.(spec|test)\.(js|d\.ts)$/.test(f))).toEqual([]);
      expect(
        files.filter(
          (f) => f.startsWith('src/') || f.endsWith('.map') || f.endsWith('.tsbuildinfo') || f.includes('test-support'),
        ),
      ).toEqual([]);
      // every compiled module comes with its declarations
      const js = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
      expect(js.filter((f) => !files.includes(f.replace(/\.js$/, '.d.ts')))).toEqual([]);
      const manifest = JSON.parse(
        readFileSync(path.join(REPO_ROOT, WORKSPACE_PACKAGES[name], 'package.json'), 'utf8'),
      ) as { license?: string; types?: string };
      expect(manifest.license).toBe('MIT');
      expect(files).toContain(manifest.types);
      // the package's LICENSE is the repository's
      expect(readFileSync(path.join(REPO_ROOT, WORKSPACE_PACKAGES[name], 'LICENSE'), 'utf8')).toBe(
        readFileSync(path.join(REPO_ROOT, 'LICENSE'), 'utf8'),
      );
    },
  );

  it('ships the command shims of core and video with what they import, and the plugin template', () => {
    expect(packed['@fewshot/core'].files).toEqual(expect.arrayContaining(['bin/fewshot.js', 'dist/cli/bin.js']));
    expect(packed['@fewshot/core'].files).toEqual(
      expect.arrayContaining([
        'templates/plugin/gitignore',
        'templates/plugin/src/index.ts',
        'templates/plugin/src/plugin.spec.ts',
      ]),
    );
    expect(packed['@fewshot/modality-video'].files).toEqual(
      expect.arrayContaining(['bin/render-drawings.js', 'dist/render/render-drawings.js']),
    );
  });
});

describe('installed from the tarballs outside the repository', () => {
  it('installs (optional native tfjs-node skipped when it cannot build)', () => {
    expect(install.code).toBe(0);
    expect(readdirSync(path.join(app, 'node_modules/@fewshot')).sort()).toEqual([
      'core',
      'modality-audio',
      'modality-image',
      'modality-timeseries',
      'modality-video',
    ]);
  });

  it('fewshot --help lists the commands', async () => {
    const r = await fewshot(['--help']);
    for (const command of ['train', 'eval', 'classify', 'plugins', 'perf', 'new-plugin'])
      expect(r.stdout).toContain(`fewshot ${command}`);
  });

  it('fewshot plugins lists image, audio, video and timeseries, loaded from the installed packages', async () => {
    const r = await fewshot(['plugins', '--json']);
    const report = JSON.parse(r.stdout) as {
      plugins: { spec: string; resolved: string }[];
      modalities: { id: string }[];
    };
    expect(report.modalities.map((m) => m.id).sort()).toEqual(['audio', 'image', 'timeseries', 'video']);
    expect(report.plugins.map((p) => p.spec).sort()).toEqual([
      '@fewshot/modality-audio',
      '@fewshot/modality-image',
      '@fewshot/modality-timeseries',
      '@fewshot/modality-video',
    ]);
    for (const p of report.plugins) expect(p.resolved.startsWith(path.join(app, 'node_modules') + path.sep)).toBe(true);
  });

  it('fewshot new-plugin writes a plugin from the template shipped in the package', async () => {
    const dir = path.join(tmp, 'my-plugin');
    await fewshot(['new-plugin', 'my-fewshot-plugin', '--dir', dir]);
    for (const f of [
      'package.json',
      'README.md',
      '.gitignore',
      'src/index.ts',
      'src/my-fewshot-plugin.spec.ts',
      'fixtures/wave/3.csv',
    ]) {
      expect([f, existsSync(path.join(dir, f))]).toEqual([f, true]);
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(manifest.dependencies['@fewshot/core']).toBe(`file:${path.join(app, 'node_modules/@fewshot/core')}`);
  });

  it('fewshot classify recognises Omniglot characters from one drawing each with the shipped model', async () => {
    // five evaluation-set characters (the model never saw these alphabets): one drawing each as support,
    // three other drawings each to classify
    const evaluation = requireData(path.join(OMNIGLOT, 'images_evaluation'));
    const support = path.join(tmp, 'support');
    const queries: { file: string; label: string }[] = [];
    for (const alphabet of readdirSync(evaluation).sort().slice(0, 5)) {
      const character = path.join(evaluation, alphabet, 'character01');
      const drawings = readdirSync(character).sort();
      mkdirSync(path.join(support, alphabet), { recursive: true });
      copyFileSync(path.join(character, drawings[0]!), path.join(support, alphabet, drawings[0]!));
      for (const d of drawings.slice(1, 4)) queries.push({ file: path.join(character, d), label: alphabet });
    }
    // the model folder is copied out of the repository, so that nothing is resolved from the repository
    const model = path.join(tmp, 'model');
    cpSync(path.join(REPO_ROOT, 'models/omniglot'), model, { recursive: true });
    const r = await fewshot([
      'classify',
      '--model',
      model,
      '--support',
      support,
      '--json',
      ...queries.map((q) => q.file),
    ]);
    const out = JSON.parse(r.stdout) as { results: { file: string; label: string }[] };
    expect(out.results.map((x) => x.file)).toEqual(queries.map((q) => q.file));
    const correct = out.results.filter((x, i) => x.label === queries[i]!.label).length;
    expect(correct).toBeGreaterThanOrEqual(queries.length - 1);
    // one tfjs: a second copy (e.g. plugins resolved from elsewhere) re-registers every kernel with a warning
    expect(r.stderr).not.toMatch(/already registered/);
  });
});
