import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPluginReport, listPlugins } from './list-plugins.js';
import { PluginError } from '../errors.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const toy = path.join(repo, 'test/fixtures/toy-plugin/toy-plugin.mjs');

describe('listPlugins', () => {
  it('lists the built-in plugins, core pixel baseline and objectives, and an extra plugin by path', async () => {
    const report = await listPlugins([toy], repo);
    expect(report.plugins.filter((p) => p.builtin).map((p) => p.spec)).toEqual([
      '@fewshot/modality-image',
      '@fewshot/modality-audio',
      '@fewshot/modality-video',
      '@fewshot/modality-timeseries',
    ]);
    expect(report.plugins.at(-1)).toMatchObject({ spec: toy, builtin: false });
    expect(report.modalities.map((m) => m.id)).toEqual(['image', 'audio', 'video', 'timeseries', 'toy']);
    expect(report.baselines.map((b) => b.id)).toContain('pixel');
    expect(report.baselines.map((b) => b.id)).toContain('dtw');
    expect(report.objectives.map((o) => o.id)).toEqual(['pairs', 'triplet', 'prototypes']);
    const text = formatPluginReport(report);
    expect(text).toMatch(/^modalities:$/m);
    expect(text).toMatch(/^ {2}toy: /m);
    expect(text).toMatch(/^objectives \(train\.objective\):$/m);
  });

  it('names a plugin file that does not exist', async () => {
    await expect(listPlugins(['./no-such-plugin.mjs'], repo)).rejects.toThrow(PluginError);
    await expect(listPlugins(['./no-such-plugin.mjs'], repo)).rejects.toThrow(
      /plugin file not found: .*no-such-plugin\.mjs/,
    );
  });

  it('takes the built-in plugins from beside core, not from another project the folder lies in', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'fewshot-other-project-'));
    try {
      // another project's copy of a built-in plugin, which must not be loaded (it would bring a second tfjs)
      const pkg = path.join(other, 'node_modules/@fewshot/modality-image');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        path.join(pkg, 'package.json'),
        JSON.stringify({ name: '@fewshot/modality-image', version: '0.0.1', main: 'index.js' }),
      );
      writeFileSync(path.join(pkg, 'index.js'), "throw new Error('the other project\\'s copy was loaded');\n");
      const report = await listPlugins([], other);
      const image = report.plugins.find((p) => p.spec === '@fewshot/modality-image');
      expect(image?.resolved.startsWith(other)).toBe(false);
      expect(image?.resolved).toContain(path.join('modality-image', 'dist'));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
