// How fewshot fails when a plugin cannot be loaded: each way a user's `plugins:` entry (or
// `--plugin`) can go wrong gives one Plugin error naming the entry, the file and what to do, and exit
// code 1. The fixtures are in test/fixtures/plugin-loading/ (and the working toy plugin beside them).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PluginError, createContainer } from '@fewshot/core';
import { cli } from './run-cli-capture.js';
import { TOY_PLUGIN } from './toy-data.js';

const FIXTURES = path.resolve(path.dirname(TOY_PLUGIN), '..', 'plugin-loading');
const fixture = (name: string): string => path.join(FIXTURES, name);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-plugin-loading-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `fewshot plugins --plugin spec...`, run from `cwd` (relative plugin paths are resolved from there). */
async function plugins(...specs: string[]): Promise<{ code: number; out: string; err: string }> {
  return cli('plugins', ...specs.flatMap((s) => ['--plugin', s]));
}

describe('plugin loading failures', () => {
  it('the working toy plugin loads (the fixtures below differ from it in one way each)', async () => {
    const r = await plugins(TOY_PLUGIN);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });

  it('a plugin file that does not exist: names the resolved path and the folder paths are relative to', async () => {
    const missing = fixture('no-such-plugin.mjs');
    const r = await plugins(missing);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `Plugin error: plugin file not found: ${missing}\n  from plugins entry '${missing}' (paths are relative to ${process.cwd()})\n`,
    );
  });

  it("a relative path in an experiment's plugins: is resolved from the config file's folder", async () => {
    const dir = path.join(tmp, 'experiment');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'exp.yaml');
    writeFileSync(
      file,
      `plugins: ['./plugins/mine.mjs']\nmodality: image\ndata:\n  root: ${tmp}\n  test: { path: . }\n`,
    );
    const r = await cli('eval', file, '--baseline', 'pixel', '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `Plugin error: plugin file not found: ${path.join(dir, 'plugins', 'mine.mjs')}\n  from plugins entry './plugins/mine.mjs' (paths are relative to ${dir})\n`,
    );
  });

  it('a module that throws when imported: the error it threw, and the file', async () => {
    const file = fixture('throws-on-import.mjs');
    const r = await plugins(file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `Plugin error: plugin '${file}' failed to load: the plugin could not find its model weights\n  resolved to ${file}\n`,
    );
    // the cause is kept for --verbose and for library users
    const err = await createContainer([file], tmp).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PluginError);
    expect((err as PluginError).cause).toBeInstanceOf(Error);
    expect(((err as PluginError).cause as Error).message).toBe('the plugin could not find its model weights');
  });

  it('a module without a ContainerModule as its default export: says what to export', async () => {
    const file = fixture('no-container-module.mjs');
    const r = await plugins(file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `Plugin error: plugin '${file}' has no inversify ContainerModule as its default export\n` +
        `  resolved to ${file}\n` +
        '  write: export default new ContainerModule(({ bind }) => { bind(Modality).toService(MyModality); ... })\n',
    );
  });

  it('a package that is not installed: where it looked and how to install it', async () => {
    const r = await plugins('fewshot-plugin-not-installed');
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "Plugin error: plugin package 'fewshot-plugin-not-installed' is not installed\n" +
        `  looked from ${process.cwd()} and from fewshot's own folder\n` +
        '  install it (npm install fewshot-plugin-not-installed) or give a path to the plugin file\n',
    );
  });

  it('a ContainerModule that throws while binding: names the plugin and the error', async () => {
    const file = fixture('bind-fails.mjs');
    const r = await plugins(file);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `Plugin error: plugin '${file}' could not be bound: bind() was called with an undefined service\n`,
    );
  });

  it('two plugins that provide the same id: names the kind and the id', async () => {
    const r = await plugins(TOY_PLUGIN, fixture('second-toy.mjs'));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "Plugin error: two plugins (or a plugin and core) provide the modality 'toy'\n  give one of them another id, or load only one of the plugins\n",
    );
    // the same plugin file named twice (here once by a relative path) is loaded once, not a clash
    const twice = await plugins(TOY_PLUGIN, path.relative(process.cwd(), TOY_PLUGIN));
    expect(twice.err).toBe('');
    expect(twice.code).toBe(0);
    expect(twice.out.match(/^ {2}toy: /gm)).toHaveLength(1);
  });
});
