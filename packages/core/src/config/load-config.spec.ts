import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import {
  configToYaml,
  INLINE_FILE,
  loadConfig,
  parseConfigObject,
  parseConfigText,
  resolveDataPath,
  saveResolvedConfig,
} from './load-config.js';

const MINIMAL = 'data:\n  train:\n    path: omniglot/images_background\n';
const FILE = resolve('/experiments/exp.yaml');
const ENV: NodeJS.ProcessEnv = {};

/** Runs `fn`, expecting a ConfigError, and returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

async function configErrorAsync(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** The problem lines of a schema ConfigError. */
function problems(text: string, overrides: string[] = []): string[] {
  return configError(() => parseConfigText(text, FILE, overrides, ENV)).hints;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'fewshot-load-config-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('loadConfig: reading the file', () => {
  it('loads a file, applying defaults, with absolute file and dir', async () => {
    const file = join(tmp, 'minimal.yaml');
    await writeFile(file, MINIMAL);
    const loaded = await loadConfig(file, [], ENV);
    expect(loaded.file).toBe(resolve(file));
    expect(loaded.dir).toBe(resolve(tmp));
    expect(loaded.overrides).toEqual([]);
    expect(loaded.config.name).toBe('experiment');
    expect(loaded.config.seed).toBe(42);
    expect(loaded.config.model).toMatchObject({
      type: 'siamese',
      head: 'l1-sigmoid',
      naive: { hidden: [256, 64], dropout: 0 },
    });
    expect(loaded.config.train.schedule.type).toBe('constant');
    expect(loaded.config.train.validation.episodes).toBe(200);
    expect(loaded.config.eval).toMatchObject({ ways: 20, shots: 1, batchSize: 256 });
    expect(loaded.config.data.train).toEqual({ path: 'omniglot/images_background', options: {} });
  });

  it('names the path of a missing file', async () => {
    const file = join(tmp, 'nope.yaml');
    const error = await configErrorAsync(loadConfig(file, [], ENV));
    expect(error.message).toContain(resolve(file));
    expect(error.message).toMatch(/not found/);
  });

  it('names the path of an unreadable file (a folder)', async () => {
    const folder = join(tmp, 'folder.yaml');
    await mkdir(folder, { recursive: true });
    const error = await configErrorAsync(loadConfig(folder, [], ENV));
    expect(error.message).toContain(resolve(folder));
  });

  it('reports a YAML syntax error as file:line:col: message', async () => {
    const file = join(tmp, 'broken.yaml');
    await writeFile(file, 'name: x\ndata:\n  train: { path: a\nmodel: {}\n');
    const error = await configErrorAsync(loadConfig(file, [], ENV));
    expect(error.message).toMatch(new RegExp(`^${escape(resolve(file))}:\\d+:\\d+: \\S`));
    expect(error.hints.length).toBeGreaterThan(0);
  });

  it('reports the line and column of a YAML syntax error', () => {
    const error = configError(() => parseConfigText('name: x\nseed: 1\ndata: {}\ndata: {}\n', FILE, [], ENV));
    expect(error.message).toBe(`${FILE}:4:1: Map keys must be unique`);
    expect(error.hints).toEqual(['  data: {}', '  ^']);
  });

  it.each([
    ['an empty file', ''],
    ['a comments-only file', '# nothing here\n'],
  ])('rejects %s, naming the file', (_, text) => {
    const error = configError(() => parseConfigText(text, FILE, [], ENV));
    expect(error.message).toContain(FILE);
    expect(error.message).toMatch(/empty/);
  });

  it.each([
    ['a list', '- data\n- model\n', /a list/],
    ['a scalar', 'just words\n', /single value/],
  ])('rejects a top level that is %s, naming the file', (_, text, pattern) => {
    const error = configError(() => parseConfigText(text, FILE, [], ENV));
    expect(error.message).toContain(FILE);
    expect(error.message).toMatch(/must be a mapping/);
    expect(error.message).toMatch(pattern);
  });
});

describe('schema violations', () => {
  const text = [
    'name: demo', //            1
    'seed: 7', //               2
    'data:', //                 3
    '  train:', //              4
    '    layout: omniglot', //  5
    'train:', //                6
    '  epochz: 5', //           7
    '  batchSize: abc', //      8
    '  stepsPerEpoch: 0', //    9
    '  learningRate: 0', //     10
    'model:', //                11
    '  type: siames', //        12
    '  bogus: 1', //            13
    'eval: { ways: 1.5 }', //   14
  ].join('\n');

  it('reports every problem at once: count in the message, one hint line per problem', () => {
    const error = configError(() => parseConfigText(text, FILE, [], ENV));
    expect(error.message).toBe(`${FILE}: the experiment config has 8 problems`);
    expect(error.hints).toHaveLength(8);
    expect(error.cause).toBeDefined();
  });

  it('points an unknown key at the key and suggests the closest allowed key', () => {
    expect(problems(text)).toContain(`${FILE}:7:3: train.epochz: unknown key 'epochz' (did you mean 'epochs'?)`);
  });

  it('lists the allowed keys when no key is close', () => {
    const line = problems(text).find((l) => l.includes('model.bogus'));
    expect(line).toBe(
      `${FILE}:13:3: model.bogus: unknown key 'bogus' (allowed: type, encoder, encoderOptions, initFrom, head, margin, ensemble, naive)`,
    );
  });

  it('points a wrong type at the value', () => {
    expect(problems(text)).toContain(`${FILE}:8:14: train.batchSize: expected an integer, got string "abc"`);
    expect(problems('data: {}\ntrain:\n  learningRate: abc\n')).toEqual([
      `${FILE}:3:17: train.learningRate: expected a number, got string "abc"`,
    ]);
    expect(problems(text)).toContain(`${FILE}:14:15: eval.ways: expected an integer, got number 1.5`);
  });

  it('reports out-of-range values with the bound', () => {
    expect(problems(text)).toContain(`${FILE}:9:18: train.stepsPerEpoch: must be >= 1, got 0`);
    expect(problems(text)).toContain(`${FILE}:10:17: train.learningRate: must be > 0, got 0`);
    expect(problems('data: {}\nseed: 5000000000\n')).toEqual([
      `${FILE}:2:7: seed: must be <= 4294967295, got 5000000000`,
    ]);
  });

  it('reports a bad enum value with the options and a suggestion', () => {
    expect(problems(text)).toContain(
      `${FILE}:12:9: model.type: must be one of siamese, naive; got 'siames' (did you mean 'siamese'?)`,
    );
    expect(problems('data: {}\nbackend: cuda\n')).toEqual([
      `${FILE}:2:10: backend: must be one of auto, tensorflow, wasm, cpu; got 'cuda'`,
    ]);
    expect(problems('data: {}\ntrain: { optimizer: 5 }\n')).toEqual([
      `${FILE}:2:21: train.optimizer: must be one of adam, sgd, momentum, rmsprop; got number 5`,
    ]);
  });

  it('points a missing required key at the parent mapping', () => {
    expect(problems(text)).toContain(`${FILE}:4:3: data.train.path: required`);
    expect(problems('name: x\nseed: 1\n')).toEqual([`${FILE}:1:1: data: required`]);
  });

  it('reports problems inside lists and empty values', () => {
    const lines = problems('data:\n  train:\n    path: a\n    exclude: [Latin, ""]\ntrain:\n  momentum:\n');
    expect(lines).toEqual([
      `${FILE}:4:22: data.train.exclude.1: must not be empty`,
      `${FILE}:6:3: train.momentum: expected a number, got an empty value (null)`,
    ]);
  });

  it('locates values reached through an alias at the anchor', () => {
    const lines = problems('shared: &ep\n  ways: 1\ndata: {}\neval: *ep\n');
    expect(lines).toEqual([
      `${FILE}:1:1: shared: unknown key 'shared' (allowed: name, description, seed, plugins, backend, modality, data, model, train, eval)`,
      `${FILE}:2:9: eval.ways: must be >= 2, got 1`,
    ]);
  });

  it('blames the --set override that produced a bad value instead of a file line', () => {
    const lines = problems(MINIMAL + 'model:\n  head: cosine\n', [
      'model.head=cosin',
      'train.schedule.stepz=3',
      'data.validation.layout=x',
    ]);
    expect(lines).toEqual([
      "--set model.head=cosin: model.head: must be one of contrastive, l1-sigmoid, cosine; got 'cosin' (did you mean 'cosine'?)",
      "--set train.schedule.stepz=3: train.schedule.stepz: unknown key 'stepz' (allowed: type, gamma, stepEpochs, minLearningRate, warmupEpochs)",
      '--set data.validation.layout=x: data.validation.path: required',
    ]);
  });

  it('attributes to the latest override touching the value', () => {
    expect(problems(MINIMAL, ['train={}', 'train.epochs=-1'])).toEqual([
      '--set train.epochs=-1: train.epochs: must be >= 0, got -1',
    ]);
  });

  it('reports problems of an inline object by path', () => {
    const error = configError(() => parseConfigObject({ data: {}, train: { epochs: 'x' } }, [], ENV));
    expect(error.hints).toEqual([`${INLINE_FILE}: train.epochs: expected an integer, got string "x"`]);
  });
});

describe('--set overrides', () => {
  it('parses values as YAML and applies them in order, creating missing maps', () => {
    const overrides = [
      'train.epochs=5',
      'data.train.exclude=[Latin,Greek]',
      'model.naive.hidden=[32, 16]',
      'train.augment.flip=true',
      'name=run 1',
      'description="42"',
      'train.epochs=7',
      'data.validation.path=omniglot/images_evaluation',
    ];
    const loaded = parseConfigText(MINIMAL + 'train:\n  epochs: 3\n', FILE, overrides, ENV);
    expect(loaded.overrides).toEqual(overrides);
    expect(loaded.config.train.epochs).toBe(7);
    expect(loaded.config.data.train?.exclude).toEqual(['Latin', 'Greek']);
    expect(loaded.config.model.naive.hidden).toEqual([32, 16]);
    expect(loaded.config.train.augment).toEqual({ flip: true });
    expect(loaded.config.name).toBe('run 1');
    expect(loaded.config.description).toBe('42');
    expect(loaded.config.data.validation).toEqual({ path: 'omniglot/images_evaluation', options: {} });
  });

  it('indexes lists with a numeric key', () => {
    const loaded = parseConfigText(MINIMAL + 'plugins: [a, b]\n', FILE, ['plugins.1=c', 'plugins.2=d'], ENV);
    expect(loaded.config.plugins).toEqual(['a', 'c', 'd']);
  });

  it('does not write through an alias into its anchor', () => {
    const text = 'data:\n  train: &split { path: a }\n  test: *split\n';
    const loaded = parseConfigText(text, FILE, ['data.test.path=b'], ENV);
    expect(loaded.config.data.train?.path).toBe('a');
    expect(loaded.config.data.test?.path).toBe('b');
  });

  it.each([
    ['train.epochs', /expected 'path=value'/],
    ['=5', /path before '=' is empty/],
    ['train..epochs=5', /empty key/],
    ['name=', /value after '=' is empty/],
    ['data.train.exclude=[Latin', /not valid YAML/],
  ])('rejects the malformed override %s, naming it', (override, pattern) => {
    const error = configError(() => parseConfigText(MINIMAL, FILE, [override], ENV));
    expect(error.message).toContain(`--set ${override}`);
    expect(error.message).toMatch(pattern);
  });

  it('rejects an override into a scalar, saying where the scalar is', () => {
    const error = configError(() => parseConfigText('seed: 3\n' + MINIMAL, FILE, ['seed.x=1'], ENV));
    expect(error.message).toBe(
      `Invalid override --set seed.x=1: cannot set 'x' inside 'seed', which is a number (3) at ${FILE}:1:7, not a mapping`,
    );
  });

  it('rejects a non-numeric key into a list', () => {
    const error = configError(() => parseConfigText(MINIMAL + 'plugins: [a]\n', FILE, ['plugins.x.y=1'], ENV));
    expect(error.message).toMatch(/--set plugins\.x\.y=1: 'plugins' is a list/);
  });
});

describe('data root and paths', () => {
  it('defaults to ./data from the current folder', () => {
    const loaded = parseConfigText(MINIMAL, FILE, [], {});
    expect(loaded.dataRoot).toBe(resolve('data'));
  });

  it('uses an absolute FEWSHOT_DATA, then data.root under it', () => {
    const base = resolve('/srv/datasets');
    expect(parseConfigText(MINIMAL, FILE, [], { FEWSHOT_DATA: base }).dataRoot).toBe(base);
    const loaded = parseConfigText(MINIMAL + '  root: omniglot\n', FILE, [], { FEWSHOT_DATA: base });
    expect(loaded.dataRoot).toBe(join(base, 'omniglot'));
  });

  it('resolves a relative FEWSHOT_DATA from the current folder', () => {
    expect(parseConfigText(MINIMAL, FILE, [], { FEWSHOT_DATA: 'some/where' }).dataRoot).toBe(resolve('some/where'));
  });

  it('keeps an absolute data.root', () => {
    const root = resolve('/mnt/omniglot');
    const loaded = parseConfigText(MINIMAL, FILE, [`data.root=${root}`], { FEWSHOT_DATA: '/ignored' });
    expect(loaded.dataRoot).toBe(root);
  });

  it('resolveDataPath keeps absolute paths and resolves relative ones from the data root', () => {
    const loaded = parseConfigText(MINIMAL, FILE, [], { FEWSHOT_DATA: resolve('/srv/data') });
    expect(resolveDataPath(loaded, 'omniglot/a')).toBe(join(resolve('/srv/data'), 'omniglot', 'a'));
    expect(resolveDataPath(loaded, resolve('/elsewhere/b'))).toBe(resolve('/elsewhere/b'));
  });
});

describe('retired keys', () => {
  it('loads saved configs that hold train.positiveFraction at the old default, and reports any other value', () => {
    const saved = parseConfigText(MINIMAL + 'train:\n  positiveFraction: 0.5\n  epochs: 3\n', FILE, [], ENV);
    expect(saved.config.train.epochs).toBe(3);
    expect('positiveFraction' in saved.config.train).toBe(false);
    expect(problems(MINIMAL + 'train:\n  positiveFraction: 0.3\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^${escape(FILE)}:5:3: train\\.positiveFraction: unknown key 'positiveFraction'`),
      ),
    ]);
  });
});

describe('reproducibility', () => {
  const text = MINIMAL + 'name: repro\nmodel:\n  head: contrastive\ntrain:\n  schedule: { type: cosine }\n';
  const overrides = [
    'train.epochs=5',
    'data.train.include=[Latin, Greek]',
    'description=on',
    'train.augment.rotate=10',
  ];

  it('gives deep-equal configs for the same text and overrides', () => {
    // the locators hold parser state of their own documents; what they report is compared elsewhere
    const { locator: la, ...a } = parseConfigText(text, FILE, overrides, ENV);
    const { locator: lb, ...b } = parseConfigText(text, FILE, [...overrides], ENV);
    expect(a).toEqual(b);
    expect(la!.locate(['train', 'augment', 'rotate'])).toEqual(lb!.locate(['train', 'augment', 'rotate']));
    expect(a.config).not.toBe(b.config);
  });

  it('configToYaml re-parses to a deep-equal config, with a header naming source, overrides and date', () => {
    const loaded = parseConfigText(text, FILE, overrides, ENV);
    const date = new Date('2024-05-06T07:08:09.000Z');
    const yaml = configToYaml(loaded, { date });
    const header = yaml
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    expect(header).toContain(FILE);
    expect(header).toContain('--set train.epochs=5 --set data.train.include=[Latin, Greek]');
    expect(header).toContain('2024-05-06T07:08:09.000Z');
    const again = parseConfigText(yaml, FILE, [], ENV);
    expect(again.config).toEqual(loaded.config);
    expect(again.config.description).toBe('on');
  });

  it('saveResolvedConfig writes atomically and the file loads back to the same config', async () => {
    const loaded = parseConfigText(text, FILE, overrides, ENV);
    const out = join(tmp, 'runs', 'r1');
    const written = await saveResolvedConfig(loaded, out);
    expect(written).toBe(join(out, 'config.yaml'));
    expect(await readdir(out)).toEqual(['config.yaml']);
    expect((await loadConfig(written, [], ENV)).config).toEqual(loaded.config);
    const again = await saveResolvedConfig(loaded, out, 'resolved.yaml');
    expect((await readFile(again, 'utf8')).startsWith('#')).toBe(true);
    expect((await readdir(out)).sort()).toEqual(['config.yaml', 'resolved.yaml']);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
