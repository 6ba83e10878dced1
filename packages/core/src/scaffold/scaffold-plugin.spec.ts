import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { ConfigError } from '../errors.js';
import { runCli } from '../cli/run-cli.js';
import { loadPlugin } from '../plugin-loader.js';
import { modalityIdFor, packageNameProblems } from './package-name.js';
import { DEV_TOOL_VERSIONS } from './plugin-manifest.js';
import { CORE_PACKAGE_DIR, coreDependency, scaffoldPlugin } from './scaffold-plugin.js';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-scaffold-'));
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

const read = (...p: string[]) => readFileSync(path.join(...p), 'utf8');

describe('scaffoldPlugin', () => {
  it('writes a complete plugin package with every placeholder filled', async () => {
    const dir = path.join(tmp, 'plugin');
    const r = await scaffoldPlugin({ name: '@me/fewshot-vectors', dir, core: '^0.1.0' });
    expect(r).toMatchObject({
      dir,
      name: '@me/fewshot-vectors',
      modality: 'vectors',
      encoder: 'vectors-dense',
      coreSpec: '^0.1.0',
    });
    expect(r.files).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'package.json',
        'tsconfig.json',
        'src/index.ts',
        'src/ids.ts',
        'src/vector-modality.ts',
        'src/dense-encoder.ts',
        'src/fewshot-vectors.spec.ts',
        'fixtures/rising/1.json',
        'fixtures/wave/3.csv',
      ]),
    );
    // 3 classes x 3 samples
    expect(r.files.filter((f) => f.startsWith('fixtures/'))).toHaveLength(9);
    for (const f of r.files) expect(read(dir, f)).not.toMatch(/__[A-Z_]+__/);
    expect(read(dir, 'src/ids.ts')).toContain("MODALITY_ID = 'vectors'");
    expect(read(dir, 'README.md')).toContain('# @me/fewshot-vectors');
    const manifest = JSON.parse(read(dir, 'package.json')) as Record<string, Record<string, string>>;
    expect(manifest['name']).toBe('@me/fewshot-vectors');
    expect(manifest['type']).toBe('module');
    expect(manifest['dependencies']).toEqual({ '@fewshot/core': '^0.1.0' });
    expect(manifest['devDependencies']).toEqual(DEV_TOOL_VERSIONS);
    expect(JSON.parse(read(dir, 'tsconfig.json')).compilerOptions.strict).toBe(true);
  });

  it('depends on this core package by default', async () => {
    const r = await scaffoldPlugin({ name: 'fewshot-plugin-sensors', dir: path.join(tmp, 'p') });
    expect(r.coreSpec).toBe(`file:${CORE_PACKAGE_DIR}`);
    expect(JSON.parse(read(CORE_PACKAGE_DIR, 'package.json')).name).toBe('@fewshot/core');
    expect(r.modality).toBe('sensors');
  });

  it('refuses a folder that is not empty, naming it, and writes nothing', async () => {
    writeFileSync(path.join(tmp, 'notes.txt'), 'mine');
    await expect(scaffoldPlugin({ name: 'fewshot-vectors', dir: tmp })).rejects.toThrow(ConfigError);
    await expect(scaffoldPlugin({ name: 'fewshot-vectors', dir: tmp })).rejects.toThrow(
      `--dir ${tmp} is not empty (1 entry, e.g. 'notes.txt')`,
    );
    expect(read(tmp, 'notes.txt')).toBe('mine');
    await expect(scaffoldPlugin({ name: 'fewshot-vectors', dir: path.join(tmp, 'notes.txt') })).rejects.toThrow(
      'is a file, not a folder',
    );
  });

  it('gives a folder that fewshot loads as a plugin once built (and says to build it before)', async () => {
    const dir = path.join(tmp, 'plugin');
    await scaffoldPlugin({ name: 'fewshot-vectors', dir, core: '^0.1.0' });
    await expect(loadPlugin(dir, tmp)).rejects.toMatchObject({
      message: expect.stringContaining(`plugin folder '${dir}' has no module to load`),
      hints: expect.arrayContaining([expect.stringContaining('build the plugin first')]),
    });
  });

  it('accepts an empty existing folder', async () => {
    mkdirSync(path.join(tmp, 'empty'));
    const r = await scaffoldPlugin({ name: 'vectors', dir: path.join(tmp, 'empty'), core: '0.1.0' });
    expect(r.files).toContain('src/vectors.spec.ts');
  });

  it.each([
    ['My-Plugin', 'capital letters'],
    ['my plugin', "characters a package name cannot have: ' '"],
    ['.hidden', "starts with '.'"],
    ['@scope', "a scoped name is '@scope/name'"],
    ['fs', 'Node.js core module'],
    ['node_modules', 'reserved name'],
    ['', 'empty'],
  ])('refuses the package name %j (%s)', async (name, reason) => {
    const err = await scaffoldPlugin({ name, dir: path.join(tmp, 'p') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect([(err as ConfigError).message, ...(err as ConfigError).hints].join('\n')).toContain(reason);
  });
});

describe('package names and ids', () => {
  it('accepts ordinary and scoped names', () => {
    expect(packageNameProblems('fewshot-vectors')).toEqual([]);
    expect(packageNameProblems('@me/fewshot.vectors_2')).toEqual([]);
  });

  it('derives the modality id from the unscoped name', () => {
    expect(modalityIdFor('@me/fewshot-modality-lidar')).toBe('lidar');
    expect(modalityIdFor('my.sensor_data')).toBe('my-sensor-data');
    expect(modalityIdFor('fewshot-plugin')).toBe('plugin');
  });
});

describe('coreDependency', () => {
  it('makes a path an absolute file: spec and keeps npm specs', () => {
    writeFileSync(path.join(tmp, 'core.tgz'), '');
    expect(coreDependency('./core.tgz', tmp)).toBe(`file:${path.join(tmp, 'core.tgz')}`);
    expect(coreDependency('file:core.tgz', tmp)).toBe(`file:${path.join(tmp, 'core.tgz')}`);
    expect(coreDependency('^0.1.0', tmp)).toBe('^0.1.0');
    expect(() => coreDependency('./missing.tgz', tmp)).toThrow(
      `--core: no such file or folder: ${path.join(tmp, 'missing.tgz')}`,
    );
  });
});

describe('development tool versions', () => {
  it('are the ones this workspace installs (so a warm npm cache has them)', () => {
    const lock = JSON.parse(read(CORE_PACKAGE_DIR, '../../package-lock.json')) as {
      packages: Record<string, { version: string }>;
    };
    for (const [name, version] of Object.entries(DEV_TOOL_VERSIONS))
      expect([name, lock.packages[`node_modules/${name}`]?.version]).toEqual([name, version]);
  });
});

describe('fewshot new-plugin', () => {
  async function cli(...argv: string[]) {
    let out = '';
    let err = '';
    const sink = (f: (s: string) => void) =>
      new Writable({
        write(chunk, _enc, cb) {
          f(String(chunk));
          cb();
        },
      });
    const code = await runCli(argv, { out: sink((s) => (out += s)), err: sink((s) => (err += s)) });
    return { code, out, err };
  }

  it('writes the package and says what to do next', async () => {
    const r = await cli('new-plugin', 'fewshot-vectors', '--dir', path.join(tmp, 'p'), '--core', '^0.1.0');
    expect(r.code).toBe(0);
    expect(r.out).toContain("the modality 'vectors' and the encoder 'vectors-dense'");
    expect(r.out).toContain('npm install && npm test');
    expect(JSON.parse(read(tmp, 'p', 'package.json')).name).toBe('fewshot-vectors');
  });

  it('is a config error (exit 1) for an invalid name', async () => {
    const r = await cli('new-plugin', 'Bad Name', '--dir', path.join(tmp, 'p'));
    expect(r.code).toBe(1);
    expect(r.err).toContain("Config error: 'Bad Name' is not a valid npm package name");
  });
});
