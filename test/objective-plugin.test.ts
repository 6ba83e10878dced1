import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';
import { TOY_PLUGIN, writeToyData } from './toy-data.js';

const OBJECTIVE_PLUGIN = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../fixtures/objective-plugin/objective-plugin.mjs',
);

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-objective-cli-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const data = path.join(tmp, 'data');
writeToyData(path.join(data, 'train'), 8, 5, 1, 'tr');
writeToyData(path.join(data, 'val'), 5, 5, 2, 'va');

function experiment(name: string, objective: string): string {
  const file = path.join(tmp, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seed: 3
backend: cpu
plugins: ['${TOY_PLUGIN}', '${OBJECTIVE_PLUGIN}']
modality: toy
data:
  root: ${data}
  train: { path: train }
  validation: { path: val }
model:
  head: contrastive
train:
  objective: ${objective}
  epochs: 1
  stepsPerEpoch: 4
  batchSize: 8
  validation: { ways: 3, episodes: 5 }
`,
  );
  return file;
}

describe('a plugin objective (fixture plugin loaded by path)', () => {
  it('is listed by fewshot plugins beside core objectives and the pixel baseline', async () => {
    const r = await cli('plugins', '--plugin', OBJECTIVE_PLUGIN, '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.objectives.map((o: { id: string }) => o.id)).toEqual([
      'pairs',
      'triplet',
      'prototypes',
      'offset-pairs',
    ]);
    expect(report.baselines.map((b: { id: string }) => b.id)).toContain('pixel');
    const text = await cli('plugins', '--plugin', OBJECTIVE_PLUGIN);
    expect(text.out).toMatch(
      /objectives \(train.objective\):\n {2}pairs: .*\n {2}triplet: .* \(model.head: contrastive\)/,
    );
  });

  for (const workers of [1, 2]) {
    it(`trains with it (${workers} worker thread${workers > 1 ? 's' : ''})`, async () => {
      const out = path.join(tmp, `model-${workers}`);
      const t = await cli(
        'train',
        experiment(`w${workers}`, 'offset-pairs'),
        '--out',
        out,
        '--json',
        '--no-eval',
        '--set',
        `train.workers=${workers}`,
      );
      expect(t.code).toBe(0);
      if (workers > 1) expect(t.err).toMatch(/data-parallel training on 2 worker threads/);
      const { history } = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8'));
      // the fixture's loss is the head's loss plus 1000: core's pairs loss would be below 10
      expect(history[0].loss).toBeGreaterThan(1000);
      expect(history[0].loss).toBeLessThan(1010);
    });
  }

  it('names the file and the key of an unknown objective, with the closest id', async () => {
    const file = experiment('typo', 'offset-pair');
    const r = await cli('train', file, '--out', path.join(tmp, 'x'), '--quiet');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`${file}: train.objective: no loaded plugin provides the objective 'offset-pair'`);
    expect(r.err).toContain("did you mean 'offset-pairs'?");
  });
});
