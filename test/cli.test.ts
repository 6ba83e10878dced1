import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { TOY_PLUGIN, toyExperimentHead, writeToyData } from './toy-data.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-cli-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = path.join(tmp, 'data');
writeToyData(path.join(data, 'train'), 12, 6, 1, 'tr');
writeToyData(path.join(data, 'val'), 6, 6, 2, 'va');
writeToyData(path.join(data, 'test'), 10, 6, 3, 'te');

function experiment(name: string, extra = ''): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
${toyExperimentHead(data)}  train: { path: train }
  validation: { path: val }
  test: { path: test }
model:
  head: l1-sigmoid
train:
  epochs: 3
  stepsPerEpoch: 15
  batchSize: 16
  learningRate: 0.01
  validation: { ways: 5, episodes: 20 }
eval: { ways: 5, shots: 1, episodes: 50 }
${extra}`,
  );
  return file;
}

let modelA: Promise<{ out: string; run: Awaited<ReturnType<typeof cli>> }> | undefined;
/** The model of experiment 'a', trained once in this file by the first test that needs it (any test may run alone). */
function trainedModelA(): Promise<{ out: string; run: Awaited<ReturnType<typeof cli>> }> {
  const out = path.join(tmp, 'model-a');
  modelA ??= cli('train', experiment('a'), '--out', out, '--quiet').then((run) => ({ out, run }));
  return modelA;
}

describe('fewshot CLI (toy plugin loaded by path)', () => {
  it('lists a plugin given by path', async () => {
    const r = await cli('plugins', '--plugin', TOY_PLUGIN, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.modalities.map((m: { id: string }) => m.id)).toContain('toy');
    expect(report.encoders.map((e: { id: string }) => e.id)).toContain('toy-dense');
  });

  it('trains, saves model + config + history, and evaluates with --json', async () => {
    const { out, run: t } = await trainedModelA();
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    for (const f of [
      'fewshot.json',
      'config.yaml',
      'history.json',
      'encoder/model.json',
      'head/model.json',
      'eval.json',
    ])
      expect(existsSync(path.join(out, f))).toBe(true);
    const history = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8'));
    expect(history.history.length).toBe(3);
    const e = await cli('eval', experiment('a'), '--model', out, '--json', '--quiet');
    expect(e.code).toBe(0);
    const report = JSON.parse(e.out);
    expect(report).toMatchObject({ ways: 5, shots: 1, episodes: 50, backend: 'cpu' });
    expect(report.accuracy).toBeGreaterThan(0.6); // chance is 0.2: well-separated toy classes
    expect(report.ci95).toBeGreaterThan(0);
  });

  it('saves the model as built with train.epochs: 0, without data.train, and evaluates it', async () => {
    const out = path.join(tmp, 'model-built');
    const file = experiment('built');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace('  train: { path: train }\n', '').replace('  epochs: 3\n', '  epochs: 0\n'),
    );
    const t = await cli('train', file, '--out', out, '--json');
    expect(t.code).toBe(0);
    expect(t.err).toMatch(/train.epochs is 0: saved the model as built/);
    expect(JSON.parse(t.out)).toMatchObject({
      bestEpoch: 0,
      stoppedBecause: 'not-trained',
      eval: { ways: 5, episodes: 50 },
    });
    for (const f of ['fewshot.json', 'config.yaml', 'encoder/model.json', 'eval.json'])
      expect(existsSync(path.join(out, f))).toBe(true);
    expect(existsSync(path.join(out, 'history.json'))).toBe(false);
    // with epochs > 0 and no data.train it says what to do
    const noTrain = experiment('no-train');
    writeFileSync(noTrain, readFileSync(noTrain, 'utf8').replace('  train: { path: train }\n', ''));
    const r = await cli('train', noTrain, '--out', path.join(tmp, 'model-none'), '--quiet');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/data.train is required to train \(or set train.epochs: 0/);
  });

  it('gives the same history and metrics for the same config and seed', async () => {
    const a = path.join(tmp, 'model-r1');
    const b = path.join(tmp, 'model-r2');
    await cli('train', experiment('r'), '--out', a, '--quiet');
    await cli('train', experiment('r'), '--out', b, '--quiet');
    const ha = JSON.parse(readFileSync(path.join(a, 'history.json'), 'utf8')).history;
    const hb = JSON.parse(readFileSync(path.join(b, 'history.json'), 'utf8')).history;
    expect(hb.map((h: { loss: number }) => h.loss)).toEqual(ha.map((h: { loss: number }) => h.loss));
    expect(hb.map((h: { valAccuracy: number }) => h.valAccuracy)).toEqual(
      ha.map((h: { valAccuracy: number }) => h.valAccuracy),
    );
    const ea = JSON.parse(readFileSync(path.join(a, 'eval.json'), 'utf8'));
    const eb = JSON.parse(readFileSync(path.join(b, 'eval.json'), 'utf8'));
    expect(eb.accuracy).toBe(ea.accuracy);
  });

  it("evaluates a plugin's baseline, and names an unknown one", async () => {
    const e = await cli('eval', experiment('a'), '--baseline', 'toy-l1', '--json', '--quiet');
    expect(e.code).toBe(0);
    const report = JSON.parse(e.out);
    expect(report).toMatchObject({ ways: 5, episodes: 50, modelKind: 'baseline:toy-l1', model: 'baseline toy-l1' });
    expect(report.accuracy).toBeGreaterThan(0.6);
    const bad = await cli('eval', experiment('a'), '--baseline', 'toy-l2', '--quiet');
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/no loaded plugin provides the baseline 'toy-l2'/);
    expect(bad.err).toMatch(/did you mean 'toy-l1'/);
  });

  it('trains the naive baseline', async () => {
    const out = path.join(tmp, 'model-naive');
    const t = await cli(
      'train',
      experiment('n'),
      '--out',
      out,
      '--quiet',
      '--set',
      'model.type=naive',
      '--set',
      'model.naive.hidden=[16]',
    );
    expect(t.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'fewshot.json'), 'utf8')).kind).toBe('naive');
  });

  for (const objective of ['triplet', 'prototypes']) {
    it(`trains with the ${objective} objective on the same encoder`, async () => {
      const out = path.join(tmp, `model-${objective}`);
      const t = await cli(
        'train',
        experiment(objective),
        '--out',
        out,
        '--quiet',
        '--json',
        '--set',
        `train.objective=${objective}`,
        '--set',
        'model.head=contrastive',
        '--set',
        'train.episode.ways=5',
        '--set',
        'train.episode.queries=2',
      );
      expect(t.code).toBe(0);
      const summary = JSON.parse(t.out);
      expect(summary.eval.accuracy).toBeGreaterThan(0.6);
    });
  }

  for (const objective of ['pairs', 'prototypes']) {
    it(`trains data-parallel on 2 worker threads (${objective})`, async () => {
      const out = path.join(tmp, `model-workers-${objective}`);
      const t = await cli(
        'train',
        experiment(`w-${objective}`),
        '--out',
        out,
        '--json',
        '--set',
        'train.workers=2',
        '--set',
        `train.objective=${objective}`,
        '--set',
        'model.head=contrastive',
        '--set',
        'train.episode.ways=5',
        '--set',
        'train.episode.queries=2',
      );
      expect(t.code).toBe(0);
      expect(t.err).toMatch(/data-parallel training on 2 worker threads/);
      expect(JSON.parse(t.out).eval.accuracy).toBeGreaterThan(0.6);
    });
  }

  it('train.workers: 2 gives the same weights, history and metrics run to run (same seed)', async () => {
    const runs = ['w2-r1', 'w2-r2'].map((name) => path.join(tmp, `model-${name}`));
    for (const out of runs) {
      const t = await cli(
        'train',
        experiment('w2'),
        '--out',
        out,
        '--json',
        '--quiet',
        '--set',
        'train.workers=2',
        '--set',
        'train.epochs=2',
      );
      expect(t.code).toBe(0);
    }
    const [a, b] = runs as [string, string];
    const history = (dir: string) =>
      JSON.parse(readFileSync(path.join(dir, 'history.json'), 'utf8')).history.map(
        (h: { loss: number; valAccuracy: number; learningRate: number }) => [h.loss, h.valAccuracy, h.learningRate],
      );
    expect(history(a)).toHaveLength(2);
    expect(history(b)).toEqual(history(a));
    expect(JSON.parse(readFileSync(path.join(b, 'eval.json'), 'utf8')).accuracy).toBe(
      JSON.parse(readFileSync(path.join(a, 'eval.json'), 'utf8')).accuracy,
    );
    // the weights, byte for byte
    const weightFiles = (dir: string) =>
      ['encoder', 'head'].flatMap((part) =>
        readdirSync(path.join(dir, part))
          .filter((f) => f.endsWith('.bin'))
          .map((f) => path.join(part, f)),
      );
    expect(weightFiles(a).length).toBeGreaterThan(0);
    expect(weightFiles(b)).toEqual(weightFiles(a));
    for (const f of weightFiles(a))
      expect(readFileSync(path.join(b, f)).equals(readFileSync(path.join(a, f)))).toBe(true);
  });

  it('trains an ensemble (members one after another, seeds seed+k), evaluates and classifies with it', async () => {
    const out = path.join(tmp, 'model-ensemble');
    // an earlier model's files in --out are removed first (never mistaken for the new model)
    mkdirSync(path.join(out, 'member-3'), { recursive: true });
    writeFileSync(path.join(out, 'history.json'), '{}');
    const t = await cli(
      'train',
      experiment('ens'),
      '--out',
      out,
      '--json',
      '--set',
      'model.ensemble=2',
      '--set',
      'model.head=contrastive',
      '--set',
      'train.epochs=2',
      '--set',
      'train.timeLimitMinutes=30',
    );
    expect(t.err).toMatch(/replacing the model in .*: removing history.json, member-3/);
    expect(existsSync(path.join(out, 'history.json'))).toBe(false);
    expect(existsSync(path.join(out, 'member-3'))).toBe(false);
    // each member's config.yaml is what it was trained with: its seed and its share of the time limit
    const member2 = readFileSync(path.join(out, 'member-2', 'config.yaml'), 'utf8');
    expect(member2).toMatch(/^seed: 8$/m);
    expect(member2).toMatch(/^ {2}timeLimitMinutes: 15$/m);
    expect(member2).toMatch(/^ {2}ensemble: 1$/m);
    expect(readFileSync(path.join(out, 'config.yaml'), 'utf8')).toMatch(/^ {2}ensemble: 2$/m);
    expect(t.code).toBe(0);
    expect(t.err).toMatch(/ensemble member 1\/2: seed 7/);
    expect(t.err).toMatch(/ensemble member 2\/2: seed 8/);
    expect(t.err).toMatch(
      /ensemble of 2: validation 5-way 1-shot accuracy [\d.]+%; its members on the same episodes: [\d.]+%, [\d.]+%/,
    );
    const summary = JSON.parse(t.out);
    expect(summary.memberValAccuracy).toHaveLength(2);
    expect(summary.members.map((m: { folder: string }) => m.folder)).toEqual(['member-1', 'member-2']);
    expect(summary.eval.modelKind).toBe('ensemble of 2 siamese');
    expect(summary.eval.accuracy).toBeGreaterThan(0.6);
    const manifest = JSON.parse(readFileSync(path.join(out, 'fewshot.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'fewshot-ensemble', members: ['member-1', 'member-2'], modality: 'toy' });
    // member 1 is the single model of the same config with the member's share of the budget (here: all epochs)
    const single = path.join(tmp, 'model-ens-single');
    await cli(
      'train',
      experiment('ens'),
      '--out',
      single,
      '--quiet',
      '--no-eval',
      '--set',
      'model.head=contrastive',
      '--set',
      'train.epochs=2',
      '--set',
      'train.timeLimitMinutes=15',
    );
    const h1 = JSON.parse(readFileSync(path.join(out, 'member-1', 'history.json'), 'utf8')).history;
    const h2 = JSON.parse(readFileSync(path.join(out, 'member-2', 'history.json'), 'utf8')).history;
    const hs = JSON.parse(readFileSync(path.join(single, 'history.json'), 'utf8')).history;
    expect(h1.map((h: { loss: number }) => h.loss)).toEqual(hs.map((h: { loss: number }) => h.loss));
    expect(h2.map((h: { loss: number }) => h.loss)).not.toEqual(h1.map((h: { loss: number }) => h.loss));
    const e = await cli('eval', '--model', out, '--json', '--quiet');
    expect(e.code).toBe(0);
    expect(JSON.parse(e.out).accuracy).toBe(summary.eval.accuracy);
    const q = path.join(data, 'test', 'te01', 's3.json');
    const support = path.join(tmp, 'support-ens');
    for (const c of ['te00', 'te01', 'te02']) {
      mkdirSync(path.join(support, c), { recursive: true });
      writeFileSync(path.join(support, c, 'one.json'), readFileSync(path.join(data, 'test', c, 's0.json')));
    }
    const r = await cli('classify', '--model', out, '--support', support, q, '--json', '--quiet', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).results[0].label).toBe('te01');
    const bad = await cli(
      'train',
      experiment('ens0'),
      '--out',
      path.join(tmp, 'x'),
      '--quiet',
      '--set',
      'model.ensemble=2',
      '--set',
      'train.epochs=0',
    );
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/model.ensemble is 2, but train.epochs is 0/);
  });

  it('refuses a distance objective with a probability head', async () => {
    const r = await cli(
      'train',
      experiment('ph'),
      '--out',
      path.join(tmp, 'x'),
      '--quiet',
      '--set',
      'train.objective=prototypes',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/train.objective 'prototypes' .* needs model.head: contrastive/);
  });

  it('classifies files against a support folder', async () => {
    const { out } = await trainedModelA();
    const support = path.join(tmp, 'support');
    for (const c of ['te00', 'te01', 'te02']) {
      mkdirSync(path.join(support, c), { recursive: true });
      writeFileSync(path.join(support, c, 'one.json'), readFileSync(path.join(data, 'test', c, 's0.json')));
    }
    const q = path.join(data, 'test', 'te01', 's3.json');
    const r = await cli('classify', '--model', out, '--support', support, q, '--json', '--quiet', '--backend', 'cpu');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out);
    expect(res.results[0].label).toBe('te01');
  });
});

describe('fewshot CLI errors', () => {
  it('names the missing data folder', async () => {
    const r = await cli(
      'train',
      experiment('m', ''),
      '--out',
      path.join(tmp, 'x'),
      '--quiet',
      '--set',
      'data.train.path=nowhere',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/data folder not found: .*nowhere/);
  });

  it('names the file, line and misspelt key with a suggestion', async () => {
    const r = await cli('train', experiment('typo', 'trian:\n  epochs: 2\n'), '--out', path.join(tmp, 'x'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/typo\.yaml:\d+:\d+: .*trian.*did you mean 'train'/);
  });

  it('refuses more ways than the test split has classes', async () => {
    const r = await cli(
      'eval',
      experiment('w'),
      '--model',
      (await trainedModelA()).out,
      '--quiet',
      '--set',
      'eval.ways=30',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/10 classes, but 30-way episodes needs at least 30/);
  });

  it('names a class with one sample when pairs need two', async () => {
    const d = path.join(tmp, 'single');
    writeToyData(d, 3, 2, 4);
    rmSync(path.join(d, 'class01', 's1.json'));
    const r = await cli(
      'train',
      experiment('s'),
      '--out',
      path.join(tmp, 'x'),
      '--quiet',
      '--set',
      `data.train.path=${d}`,
      '--set',
      'train.epochs=1',
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/class 'class01'.* 1 sample, but pair training needs at least 2/);
  });

  it('says what is wrong with a model folder', async () => {
    const r = await cli('eval', '--model', path.join(tmp, 'no-model'), '--runs', tmp, '--quiet');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not a fewshot model folder: .*no-model.*fewshot.json is missing/);
  });

  it('reports usage errors with exit code 2', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    const r2 = await cli('eval', 'x.yaml');
    expect(r2.code).toBe(2);
    expect(r2.err).toMatch(/--model DIR or --baseline pixel/);
  });
});
