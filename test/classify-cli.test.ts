// `fewshot classify --json`: its fields, the order of the ranking, --top, and a support folder with
// several examples per class (a class scores the mean of its examples' scores). A toy model is
// trained once for this file (the toy plugin, cpu backend: a few seconds).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { toyExperimentHead, writeToyData } from './toy-data.js';

interface Ranked {
  label: string;
  score: number;
}
interface Result {
  file: string;
  label: string;
  ranking: Ranked[];
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-classify-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = path.join(tmp, 'data');
const model = path.join(tmp, 'model');
const CLASSES = ['te00', 'te01', 'te02', 'te03', 'te04', 'te05'];
/** Support examples per class in the multi-example support folder: 3, but te01 has 2 and te05 1. */
const examples = (c: string): number => ({ te01: 2, te05: 1 })[c] ?? 3;
const example = (c: string, i: number): string => path.join(data, 'test', c, `s${i}.json`);

/** A support folder: `<class>/<file>` copies of the given examples. */
function supportFolder(name: string, classes: Record<string, string[]>): string {
  const dir = path.join(tmp, name);
  for (const [c, files] of Object.entries(classes)) {
    mkdirSync(path.join(dir, c), { recursive: true });
    files.forEach((f, i) => writeFileSync(path.join(dir, c, `ex${i}.json`), readFileSync(f)));
  }
  return dir;
}

async function classify(
  support: string,
  files: string[],
  ...extra: string[]
): Promise<{ backend: string; model: string; results: Result[] }> {
  const r = await cli(
    'classify',
    '--model',
    model,
    '--support',
    support,
    ...files,
    '--json',
    '--quiet',
    '--backend',
    'cpu',
    ...extra,
  );
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

/** The query files: example 5 of each class (never in a support folder). */
const queries = CLASSES.map((c) => example(c, 5));
let multi: string;

beforeAll(async () => {
  writeToyData(path.join(data, 'train'), 12, 6, 1, 'tr');
  writeToyData(path.join(data, 'test'), CLASSES.length, 6, 9, 'te');
  const file = path.join(tmp, 'toy.yaml');
  writeFileSync(
    file,
    `${toyExperimentHead(data)}  train: { path: train }
model: { head: l1-sigmoid }
train: { epochs: 3, stepsPerEpoch: 15, batchSize: 16, learningRate: 0.01 }
`,
  );
  const t = await cli('train', file, '--out', model, '--quiet', '--no-eval');
  expect(t.err).toBe('');
  expect(t.code).toBe(0);
  multi = supportFolder(
    'support-multi',
    Object.fromEntries(CLASSES.map((c) => [c, Array.from({ length: examples(c) }, (_, i) => example(c, i))])),
  );
});

describe('fewshot classify --json', () => {
  it('prints the backend, the model folder and one result per file, in order, with absolute paths', async () => {
    const relative = path.relative(process.cwd(), queries[2]!);
    const out = await classify(multi, [queries[0]!, relative, queries[1]!]);
    expect(Object.keys(out).sort()).toEqual(['backend', 'model', 'results']);
    expect(out.backend).toBe('cpu');
    expect(out.model).toBe(model);
    expect(out.results.map((r) => r.file)).toEqual([queries[0], queries[2], queries[1]]);
    for (const r of out.results) {
      expect(Object.keys(r).sort()).toEqual(['file', 'label', 'ranking']);
      for (const x of r.ranking) expect(Object.keys(x).sort()).toEqual(['label', 'score']);
    }
    // every query is of a support class, and the trained model gets each right (well-separated toy classes)
    expect(out.results.map((r) => r.label)).toEqual(['te00', 'te02', 'te01']);
  });

  it('ranks classes best first; --top cuts the ranking (default 3, at most the classes there are, at least 1)', async () => {
    const all = (await classify(multi, queries, '--top', '100')).results;
    const byDefault = (await classify(multi, queries)).results;
    const two = (await classify(multi, queries, '--top', '2')).results;
    const zero = (await classify(multi, queries, '--top', '0')).results;
    all.forEach((r, i) => {
      expect(r.ranking.map((x) => x.label).sort()).toEqual(CLASSES);
      for (let k = 1; k < r.ranking.length; k++)
        expect(r.ranking[k - 1]!.score).toBeGreaterThanOrEqual(r.ranking[k]!.score);
      expect(r.ranking[0]!.label).toBe(r.label);
      expect(r.label).toBe(CLASSES[i]);
      expect(byDefault[i]!.ranking).toEqual(r.ranking.slice(0, 3));
      expect(two[i]!.ranking).toEqual(r.ranking.slice(0, 2));
      expect(zero[i]!.ranking).toEqual(r.ranking.slice(0, 1));
    });
    // l1-sigmoid: scores are probabilities of "same class", and they do differ between classes
    for (const r of all) {
      for (const x of r.ranking) expect(x.score).toBeGreaterThanOrEqual(0);
      expect(r.ranking[0]!.score).toBeGreaterThan(r.ranking[r.ranking.length - 1]!.score);
    }
  });

  it('scores a class with several examples by the mean of the scores of its examples', async () => {
    // one single-example class per example (te05, with one example, as in the multi folder)
    const singles: Record<string, string[]> = {};
    for (const c of CLASSES)
      for (let i = 0; i < examples(c); i++) singles[examples(c) > 1 ? `${c}-${i}` : c] = [example(c, i)];
    const one = supportFolder('support-singles', singles);
    const many = (await classify(multi, queries, '--top', '100')).results;
    const each = (await classify(one, queries, '--top', '100')).results;
    const score = (r: Result, label: string): number => r.ranking.find((x) => x.label === label)!.score;
    many.forEach((r, q) => {
      for (const c of CLASSES) {
        const n = examples(c);
        const parts = n > 1 ? Array.from({ length: n }, (_, i) => score(each[q]!, `${c}-${i}`)) : [score(each[q]!, c)];
        expect(score(r, c)).toBeCloseTo(parts.reduce((a, b) => a + b, 0) / n, 6);
      }
    });
    // and the mean is not the best example's score: te00's three examples do not score alike
    const te00 = Array.from({ length: 3 }, (_, i) => score(each[0]!, `te00-${i}`));
    expect(Math.max(...te00) - Math.min(...te00)).toBeGreaterThan(1e-4);
  });

  it('prints one line per file without --json', async () => {
    const r = await cli(
      'classify',
      '--model',
      model,
      '--support',
      multi,
      queries[1]!,
      '--quiet',
      '--backend',
      'cpu',
      '--top',
      '2',
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      new RegExp(
        `^${queries[1]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: te01 {2}\\(te01 \\d\\.\\d{3}, te\\d\\d \\d\\.\\d{3}\\)\\n$`,
      ),
    );
  });
});
