// `fewshot combine`: two toy models trained by different recipes become one ensemble that `classify`
// takes as one model; bad input exits 1 naming what is wrong, and an existing folder is kept.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { toyExperimentHead, writeToyData } from './toy-data.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-combine-cli-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = path.join(tmp, 'data');
const at = (name: string): string => path.join(tmp, name);

async function train(name: string, extra: string): Promise<void> {
  const file = at(`${name}.yaml`);
  writeFileSync(
    file,
    `${toyExperimentHead(data)}  train: { path: train }
train: { epochs: 2, stepsPerEpoch: 10, batchSize: 16, learningRate: 0.01 }
${extra}`,
  );
  const t = await cli('train', file, '--out', at(name), '--quiet', '--no-eval');
  expect(t.err).toBe('');
  expect(t.code).toBe(0);
}

beforeAll(async () => {
  writeToyData(path.join(data, 'train'), 12, 6, 1, 'tr');
  writeToyData(path.join(data, 'support'), 4, 2, 9, 'te');
  await train('a', 'model: { ensemble: 2, head: contrastive }\n');
  await train('b', 'model: { head: contrastive }\n');
  await train('c', 'model: { head: l1-sigmoid }\n');
});

describe('fewshot combine', () => {
  it('writes one ensemble of every member, which classify takes as one model', async () => {
    const r = await cli('combine', at('a'), at('b'), '--out', at('ab'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(
      [
        `member-1 <- ${path.join('..', 'a', 'member-1')}`,
        `member-2 <- ${path.join('..', 'a', 'member-2')}`,
        `member-3 <- ${path.join('..', 'b')}`,
        `wrote ${at('ab')}: an ensemble of 3 members, ${JSON.parse(readFileSync(at('ab/fewshot.json'), 'utf8')).embeddingSize}-value embeddings`,
        '',
      ].join('\n'),
    );
    const query = path.join(data, 'support', 'te01', 's1.json');
    const c = await cli(
      'classify',
      '--model',
      at('ab'),
      '--support',
      path.join(data, 'support'),
      query,
      '--json',
      '--quiet',
    );
    expect(c.err).toBe('');
    expect(c.code).toBe(0);
    expect(JSON.parse(c.out).results[0].label).toBe('te01');
  });

  it('exits 1 naming the head that differs, the lone model, or the folder already there', async () => {
    const head = await cli('combine', at('a'), at('c'), '--out', at('ac'));
    expect(head.code).toBe(1);
    expect(head.err).toMatch(/c.fewshot.json has head "l1-sigmoid", but .*member-1.fewshot.json has "contrastive"/);
    expect(existsSync(at('ac'))).toBe(false);
    const one = await cli('combine', at('a'), '--out', at('ac'));
    expect(one.code).toBe(1);
    expect(one.err).toMatch(/two or more model folders/);
    const again = await cli('combine', at('b'), at('a'), '--out', at('ab'));
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/ab already holds files\n.*--force/);
    expect(JSON.parse(readFileSync(at('ab/sources.json'), 'utf8')).members[2].from).toBe(path.join('..', 'b'));
  });
});
