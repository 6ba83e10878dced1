import * as tf from '@tensorflow/tfjs';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PairModel } from './pair-model.js';
import { EnsembleModel, loadModel, saveEnsembleMeta } from './ensemble-model.js';
import { combineModels } from './combine-models.js';
import { tinyEncoder, tinyMeta, tinyStore } from './test-support.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('combineModels', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-combine-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const at = (...p: string[]): string => path.join(dir, ...p);

  /** A pair model (units-wide embedding) saved in `name`. */
  async function pair(name: string, seed: number, units: number, meta = tinyMeta): Promise<PairModel> {
    const m = PairModel.create(tinyEncoder(seed, units), 'contrastive', meta, seed);
    await m.save(at(name));
    return m;
  }

  it('copies the members of ensembles and pair models into one ensemble scored by the mean of all', async () => {
    const a = await pair('ens/member-1', 1, 3);
    const b = await pair('ens/member-2', 2, 4);
    await saveEnsembleMeta(at('ens'), EnsembleModel.metaOf([a.meta, b.meta], ['member-1', 'member-2']));
    const c = await pair('single', 3, 5);
    // a config saved beside the first model: the combined folder gets it with model.ensemble = 3
    writeFileSync(at('ens', 'config.yaml'), 'modality: image\nmodel: { ensemble: 2 }\ndata: {}\n');
    const result = await combineModels({ models: [at('ens'), at('single')], out: at('out') });
    expect(result.members.map((m) => m.name)).toEqual(['member-1', 'member-2', 'member-3']);
    expect(result.members.map((m) => m.from)).toEqual([
      path.join('..', 'ens', 'member-1'),
      path.join('..', 'ens', 'member-2'),
      path.join('..', 'single'),
    ]);
    expect(result.embeddingSize).toBe(12);
    expect(readdirSync(at('out')).sort()).toEqual([
      'config.yaml',
      'fewshot.json',
      'member-1',
      'member-2',
      'member-3',
      'sources.json',
    ]);
    expect(readFileSync(at('out', 'config.yaml'), 'utf8')).toMatch(/ensemble: 3/);
    expect(JSON.parse(readFileSync(at('out', 'sources.json'), 'utf8')).members).toEqual(result.members);

    const s = tinyStore(4);
    const idx = [0, 1, 2, 3];
    const left = new Int32Array([0, 1]);
    const right = new Int32Array([2, 3]);
    const scores = [a, b, c].map((m) => m.scorePairs(m.embed(s, idx), left, right));
    const combined = await loadModel(at('out'));
    expect(combined.kind).toBe('ensemble of 3 siamese');
    const got = combined.scorePairs(combined.embed(s, idx), left, right);
    for (let k = 0; k < 2; k++) expect(got[k]).toBeCloseTo((scores[0]![k]! + scores[1]![k]! + scores[2]![k]!) / 3, 5);
    for (const m of [a, b, c, combined]) m.dispose();
  });

  it('names the member that reads other inputs, and leaves an existing folder alone', async () => {
    const other = await pair('other-size', 4, 3, { ...tinyMeta, preprocess: { size: 8 } });
    other.dispose();
    await expect(combineModels({ models: [at('single'), at('other-size')], out: at('bad') })).rejects.toThrow(
      /other-size.fewshot.json has preprocessing \{"size":8\}, but .*single.fewshot.json has \{"size":4\}/,
    );
    expect(existsSync(at('bad'))).toBe(false);
    await expect(combineModels({ models: [at('single')], out: at('bad') })).rejects.toThrow(/two or more/);
    await expect(combineModels({ models: [at('single'), at('nowhere')], out: at('bad') })).rejects.toThrow(/nowhere/);
    await expect(combineModels({ models: [at('out'), at('single')], out: at('out') })).rejects.toThrow(
      /overlaps the model folder/,
    );
    // `out` holds the earlier ensemble: kept unless --force
    const before = readFileSync(at('out', 'fewshot.json'), 'utf8');
    await expect(combineModels({ models: [at('single'), at('ens')], out: at('out') })).rejects.toThrow(
      /already holds files/,
    );
    expect(readFileSync(at('out', 'fewshot.json'), 'utf8')).toBe(before);
    const forced = await combineModels({ models: [at('single'), at('ens')], out: at('out'), force: true });
    expect(forced.members.map((m) => m.from)).toEqual([
      path.join('..', 'single'),
      path.join('..', 'ens', 'member-1'),
      path.join('..', 'ens', 'member-2'),
    ]);
    expect(existsSync(at('out', 'config.yaml'))).toBe(false); // the first model now has none
  });
});
