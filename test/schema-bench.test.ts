// The JSON Schema of bench YAML (`fewshot bench`): committed copy up to date, every bench file in
// config/bench/ starts with the editor comment and passes it (ajv), and broken bench files fail.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { BENCH_SCHEMA_FILE, loadBench } from '@fewshot/core';
import { cli } from './run-cli-capture.js';
import { REPO_ROOT } from './shared-data.js';
import { REGENERATE, generatedFiles, staleFiles } from './schema-generated.js';

const BENCH_DIR = path.join(REPO_ROOT, 'config', 'bench');
const benches = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const committed: ValidateFunction = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(path.join(REPO_ROOT, BENCH_SCHEMA_FILE), 'utf8')) as object,
);

function errorsOf(doc: unknown): string[] {
  return committed(doc)
    ? []
    : (committed.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** A committed bench file with `edit` applied to its parsed YAML. */
function edited(file: string, edit: (doc: Record<string, any>) => void): Record<string, unknown> {
  const doc = parse(readFileSync(path.join(BENCH_DIR, file), 'utf8')) as Record<string, any>;
  edit(doc);
  return doc;
}

/** The name of the first task of `file` with this modality. */
function taskOf(file: string, modality: string): string {
  const doc = parse(readFileSync(path.join(BENCH_DIR, file), 'utf8')) as {
    tasks: Record<string, { modality: string }>;
  };
  const found = Object.entries(doc.tasks).find(([, t]) => t.modality === modality);
  if (!found) throw new Error(`${file} has no ${modality} task`);
  return found[0];
}

describe('schema/bench.schema.json', () => {
  it('is what `fewshot schema bench` generates now', async () => {
    const expected = await generatedFiles();
    expect({
      stale: staleFiles(REPO_ROOT, { [BENCH_SCHEMA_FILE]: expected[BENCH_SCHEMA_FILE]! }),
      fix: REGENERATE,
    }).toEqual({ stale: [], fix: REGENERATE });
    const r = await cli('schema', 'bench');
    expect(r.code).toBe(0);
    expect(r.out).toBe(readFileSync(path.join(REPO_ROOT, BENCH_SCHEMA_FILE), 'utf8'));
  });

  it("describes every key, those of tasks, methods, cells and each modality's preprocess included", () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, BENCH_SCHEMA_FILE), 'utf8')) as JsonSchema;
    const keys = describedKeys(schema);
    expect(keys.missing).toEqual([]);
    // the walk reaches into every part (a walk that saw nothing would find nothing missing)
    expect(keys.seen).toEqual(
      expect.arrayContaining([
        'seed',
        'tasks.<name>.ways',
        'methods.<name>.tta',
        'cells[].source',
        'tasks.<name>.preprocess.size',
      ]),
    );
  });
});

type JsonSchema = Record<string, any>;

/** Every key below `schema` (into `tasks.<name>`, `cells[]` and conditional branches), and those without a description. */
function describedKeys(schema: JsonSchema): { seen: string[]; missing: string[] } {
  const seen: string[] = [];
  const missing: string[] = [];
  const walk = (s: JsonSchema, at: string): void => {
    for (const [k, v] of Object.entries((s['properties'] ?? {}) as Record<string, JsonSchema>)) {
      seen.push(`${at}${k}`);
      if (typeof v['description'] !== 'string' || v['description'].length === 0) missing.push(`${at}${k}`);
      walk(v, `${at}${k}.`);
    }
    if (typeof s['additionalProperties'] === 'object') walk(s['additionalProperties'] as JsonSchema, `${at}<name>.`);
    if (typeof s['items'] === 'object') walk(s['items'] as JsonSchema, `${at.replace(/\.$/, '')}[].`);
    // `if modality is M then preprocess is M's schema`: the keys of M's schema (preprocess itself is described above)
    for (const branch of (s['allOf'] ?? []) as JsonSchema[]) {
      for (const [k, v] of Object.entries((branch['then']?.['properties'] ?? {}) as Record<string, JsonSchema>))
        walk(v, `${at}${k}.`);
    }
  };
  walk(schema, '');
  return { seen: [...new Set(seen)], missing: [...new Set(missing)] };
}

describe('every bench file in config/bench/', () => {
  it('exists', () => {
    expect(benches).toContain('quickstart.yaml');
  });

  it.each(benches)('%s starts with the yaml-language-server schema comment', (file) => {
    const first = readFileSync(path.join(BENCH_DIR, file), 'utf8').split('\n')[0]!;
    expect(first).toBe('# yaml-language-server: $schema=../../schema/bench.schema.json');
    expect(path.resolve(BENCH_DIR, first.replace(/^.*\$schema=/, ''))).toBe(path.join(REPO_ROOT, BENCH_SCHEMA_FILE));
  });

  it.each(benches)('%s is valid against the schema (ajv) and loads (zod)', async (file) => {
    expect(errorsOf(parse(readFileSync(path.join(BENCH_DIR, file), 'utf8')))).toEqual([]);
    await expect(loadBench(path.join(BENCH_DIR, file))).resolves.toBeDefined();
  });
});

describe('a broken bench file fails validation', () => {
  it('with an unknown key in a task', () => {
    const task = taskOf('quickstart.yaml', 'image');
    const doc = edited('quickstart.yaml', (d) => (d['tasks'][task] = { ...d['tasks'][task], shot: 1 }));
    expect(errorsOf(doc).join('\n')).toMatch(new RegExp(`/tasks/${task} must NOT have additional properties.*shot`));
  });

  it('with a value out of range', () => {
    const task = taskOf('quickstart.yaml', 'image');
    const doc = edited('quickstart.yaml', (d) => (d['tasks'][task] = { ...d['tasks'][task], ways: [5, 1] }));
    expect(errorsOf(doc).join('\n')).toMatch(new RegExp(`/tasks/${task}/ways/1 must be >= 2`));
  });

  it("with a preprocessing key of another modality (the task's modality schema applies)", () => {
    const task = taskOf('quickstart.yaml', 'image');
    const doc = edited(
      'quickstart.yaml',
      (d) => (d['tasks'][task] = { ...d['tasks'][task], preprocess: { sampleRate: 8000 } }),
    );
    expect(errorsOf(doc).join('\n')).toMatch(
      new RegExp(`/tasks/${task}/preprocess must NOT have additional properties.*sampleRate`),
    );
  });

  it('without cells', () => {
    const doc = edited('quickstart.yaml', (d) => delete d['cells']);
    expect(errorsOf(doc).join('\n')).toMatch(/must have required property 'cells'/);
  });
});
