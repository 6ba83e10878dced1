// The JSON Schema of experiment YAML: committed copy up to date, every shipped config starts with the
// editor comment and passes it (checked by ajv, a validator independent of zod), and broken configs fail.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { EXPERIMENT_SCHEMA_FILE, loadConfig } from '@fewshot/core';
import { REPO_ROOT } from './shared-data.js';
import { cli } from './run-cli-capture.js';
import { REGENERATE, builtInExperimentSchema, generatedFiles, staleFiles } from './schema-generated.js';

const CONFIG_DIR = path.join(REPO_ROOT, 'config');
const configs = readdirSync(CONFIG_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-schema-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function validatorOf(schema: object): ValidateFunction {
  return new Ajv({ allErrors: true, strict: true }).compile(schema);
}

const committed = validatorOf(JSON.parse(readFileSync(path.join(REPO_ROOT, EXPERIMENT_SCHEMA_FILE), 'utf8')) as object);

function errorsOf(validate: ValidateFunction, doc: unknown): string[] {
  return validate(doc)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** A shipped config with `edit` applied to its parsed YAML. */
function edited(file: string, edit: (doc: Record<string, any>) => void): Record<string, unknown> {
  const doc = parse(readFileSync(path.join(CONFIG_DIR, file), 'utf8')) as Record<string, any>;
  edit(doc);
  return doc;
}

describe('schema/experiment.schema.json', () => {
  it('is what `fewshot schema experiment` generates now', async () => {
    const expected = await generatedFiles();
    expect({
      stale: staleFiles(REPO_ROOT, { [EXPERIMENT_SCHEMA_FILE]: expected[EXPERIMENT_SCHEMA_FILE]! }),
      fix: REGENERATE,
    }).toEqual({ stale: [], fix: REGENERATE });
  });

  it('is reported stale when the committed copy differs or is missing', async () => {
    const expected = await generatedFiles();
    const root = path.join(tmp, 'repo');
    mkdirSync(path.join(root, 'schema'), { recursive: true });
    const file = path.join(root, EXPERIMENT_SCHEMA_FILE);
    copyFileSync(path.join(REPO_ROOT, EXPERIMENT_SCHEMA_FILE), file);
    const only = { [EXPERIMENT_SCHEMA_FILE]: expected[EXPERIMENT_SCHEMA_FILE]! };
    expect(staleFiles(root, only)).toEqual([]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"default": 42', '"default": 43'));
    expect(staleFiles(root, only)).toEqual([EXPERIMENT_SCHEMA_FILE]);
    rmSync(file);
    expect(staleFiles(root, only)).toEqual([EXPERIMENT_SCHEMA_FILE]);
  });

  it('describes every key', async () => {
    const missing: string[] = [];
    const walk = (s: Record<string, any>, at: string): void => {
      for (const [k, v] of Object.entries((s['properties'] ?? {}) as Record<string, Record<string, any>>)) {
        if (typeof v['description'] !== 'string' || v['description'].length === 0) missing.push(`${at}${k}`);
        walk(v, `${at}${k}.`);
      }
    };
    walk(await builtInExperimentSchema(), '');
    expect(missing).toEqual([]);
  });
});

describe('fewshot schema', () => {
  it('prints the committed JSON Schema, or writes it with --out', async () => {
    const text = readFileSync(path.join(REPO_ROOT, EXPERIMENT_SCHEMA_FILE), 'utf8');
    expect(await cli('schema')).toEqual({ code: 0, out: text, err: '' });
    const out = path.join(tmp, 'out', 'experiment.schema.json');
    const r = await cli('schema', 'experiment', '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(text);
  });

  it('prints the configuration reference with --format markdown', async () => {
    const r = await cli('schema', '--format', 'markdown');
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(path.join(REPO_ROOT, 'docs/configuration.md'), 'utf8'));
  });

  it('rejects an unknown kind as a usage error', async () => {
    const r = await cli('schema', 'recipe');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Invalid values/);
  });
});

describe('every config in config/', () => {
  it('exists', () => {
    expect(configs).toContain('quickstart.yaml');
  });

  it.each(configs)('%s starts with the yaml-language-server schema comment', (file) => {
    const first = readFileSync(path.join(CONFIG_DIR, file), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=../schema/experiment.schema.json');
    const target = path.resolve(CONFIG_DIR, first!.replace(/^.*\$schema=/, ''));
    expect(target).toBe(path.join(REPO_ROOT, EXPERIMENT_SCHEMA_FILE));
  });

  it.each(configs)('%s is valid against the schema (ajv) and loads (zod)', async (file) => {
    const doc: unknown = parse(readFileSync(path.join(CONFIG_DIR, file), 'utf8'));
    expect(errorsOf(committed, doc)).toEqual([]);
    await expect(loadConfig(path.join(CONFIG_DIR, file))).resolves.toBeDefined();
  });
});

describe('a broken config fails validation', () => {
  it('with a wrong type', () => {
    const doc = edited('quickstart.yaml', (d) => (d['train'] = { ...d['train'], epochs: 'many' }));
    expect(errorsOf(committed, doc).join('\n')).toMatch(/\/train\/epochs must be integer/);
  });

  it('with an unknown (misspelt) key', () => {
    const doc = edited('quickstart.yaml', (d) => (d['train'] = { ...d['train'], learningrate: 0.01 }));
    expect(errorsOf(committed, doc).join('\n')).toMatch(/\/train must NOT have additional properties.*learningrate/);
  });

  it('with a value out of range', () => {
    const doc = edited('omniglot.yaml', (d) => (d['eval'] = { ...d['eval'], ways: 1 }));
    expect(errorsOf(committed, doc).join('\n')).toMatch(/\/eval\/ways must be >= 2/);
  });

  it("with a preprocessing key of another modality (the modality's own schema applies)", () => {
    const image = edited(
      'quickstart.yaml',
      (d) => (d['data'] = { ...d['data'], preprocess: { ...d['data']['preprocess'], sampleRate: 8000 } }),
    );
    expect(errorsOf(committed, image).join('\n')).toMatch(
      /\/data\/preprocess must NOT have additional properties.*sampleRate/,
    );
    const audio = edited(
      'arabic-commands.yaml',
      (d) => (d['data'] = { ...d['data'], preprocess: { ...d['data']['preprocess'], invert: true } }),
    );
    expect(errorsOf(committed, audio).join('\n')).toMatch(
      /\/data\/preprocess must NOT have additional properties.*invert/,
    );
  });

  it("with a misspelt augmentation key (the modality's augmentation schema applies)", () => {
    const image = edited(
      'omniglot.yaml',
      (d) => (d['train'] = { ...d['train'], augment: { ...d['train']['augment'], affinee: true } }),
    );
    expect(errorsOf(committed, image).join('\n')).toMatch(
      /\/train\/augment must NOT have additional properties.*affinee/,
    );
    const video = edited(
      'drawing-videos.yaml',
      (d) => (d['eval'] = { ...d['eval'], tta: { views: 2, augment: { shift: 1 } } }),
    );
    expect(errorsOf(committed, video).join('\n')).toMatch(
      /\/eval\/tta\/augment must NOT have additional properties.*shift/,
    );
  });

  it('with a file copied to disk and broken there (as an editor would see it)', () => {
    const file = path.join(tmp, 'broken.yaml');
    writeFileSync(file, readFileSync(path.join(CONFIG_DIR, 'quickstart.yaml'), 'utf8') + '\nbogus: 1\n');
    expect(errorsOf(committed, parse(readFileSync(file, 'utf8')))).toEqual([
      expect.stringMatching(/must NOT have additional properties.*bogus/),
    ]);
  });

  it('and a broken schema rejects a good config', () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, EXPERIMENT_SCHEMA_FILE), 'utf8')) as {
      properties: Record<string, any>;
    };
    schema.properties['seed'] = { type: 'string' };
    const doc: unknown = parse(readFileSync(path.join(CONFIG_DIR, 'quickstart.yaml'), 'utf8'));
    expect(errorsOf(validatorOf(schema), doc).join('\n')).toMatch(/\/seed must be string/);
  });
});
