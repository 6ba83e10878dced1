// docs/configuration.md is generated from the zod schema; this fails when the committed page is stale.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIGURATION_REFERENCE_FILE, ExperimentSchema } from '@fewshot/core';
import { REPO_ROOT } from './shared-data.js';
import { REGENERATE, generatedFiles, staleFiles } from './schema-generated.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-config-docs-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('docs/configuration.md', () => {
  it('is what `npm run docs:generate` writes now', async () => {
    const expected = await generatedFiles();
    const only = { [CONFIGURATION_REFERENCE_FILE]: expected[CONFIGURATION_REFERENCE_FILE]! };
    expect({ stale: staleFiles(REPO_ROOT, only), fix: REGENERATE }).toEqual({ stale: [], fix: REGENERATE });
  });

  it('is reported stale after a hand edit', async () => {
    const expected = await generatedFiles();
    const only = { [CONFIGURATION_REFERENCE_FILE]: expected[CONFIGURATION_REFERENCE_FILE]! };
    const file = path.join(tmp, CONFIGURATION_REFERENCE_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, CONFIGURATION_REFERENCE_FILE), file);
    expect(staleFiles(tmp, only)).toEqual([]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('| `seed` | integer', '| `seed` | number'));
    expect(staleFiles(tmp, only)).toEqual([CONFIGURATION_REFERENCE_FILE]);
  });

  it('lists every key of every section with its default and description', () => {
    const page = readFileSync(path.join(REPO_ROOT, CONFIGURATION_REFERENCE_FILE), 'utf8');
    expect(page).toContain('| `seed` | integer >= 0, <= 4294967295 | `42` | Seed of everything random');
    expect(page).toContain('## `train.schedule`');
    for (const key of Object.keys(ExperimentSchema.shape.train.unwrap().shape))
      expect(page).toContain(`| \`${key}\` |`);
    expect(page).toContain('## `data.preprocess` of modality `image`');
    expect(page).toContain('## `data.preprocess` of modality `audio`');
    expect(page).toContain('## `data.preprocess` of modality `video`');
  });
});
