import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PairModel } from './pair-model.js';
import { EnsembleModel, loadModel, readModelMeta, saveEnsembleMeta } from './ensemble-model.js';
import { SampleStore } from '../data/sample-store.js';
import { ModelError } from '../errors.js';
import { tinyEncoder, tinyMeta, tinyStore } from './test-support.js';

const meta = tinyMeta;
const store = (n: number): SampleStore => tinyStore(n);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EnsembleModel', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-ensemble-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('embeds members side by side and scores pairs with the mean of member scores; saves and loads back', async () => {
    const a = PairModel.create(tinyEncoder(1, 3), 'contrastive', meta, 1);
    const b = PairModel.create(tinyEncoder(2, 5), 'contrastive', meta, 2);
    const s = store(6);
    const idx = [0, 1, 2, 3, 4, 5];
    const ea = a.embed(s, idx);
    const eb = b.embed(s, idx);
    await a.save(path.join(dir, 'm1', 'member-1'));
    await b.save(path.join(dir, 'm1', 'member-2'));
    const ensMeta = EnsembleModel.metaOf([a.meta, b.meta], ['member-1', 'member-2']);
    expect(ensMeta.embeddingSize).toBe(8);
    await saveEnsembleMeta(path.join(dir, 'm1'), ensMeta);
    const ens = await loadModel(path.join(dir, 'm1'));
    expect(ens).toBeInstanceOf(EnsembleModel);
    expect(ens.kind).toBe('ensemble of 2 siamese');
    const e = ens.embed(s, idx, 4);
    expect(e.length).toBe(6 * 8);
    for (let i = 0; i < 6; i++) {
      expect(Array.from(e.subarray(i * 8, i * 8 + 3))).toEqual(Array.from(ea.subarray(i * 3, i * 3 + 3)));
      expect(Array.from(e.subarray(i * 8 + 3, i * 8 + 8))).toEqual(Array.from(eb.subarray(i * 5, i * 5 + 5)));
    }
    const left = new Int32Array([0, 1, 2]);
    const right = new Int32Array([3, 4, 5]);
    const sa = a.scorePairs(ea, left, right);
    const sb = b.scorePairs(eb, left, right);
    const se = ens.scorePairs(e, left, right);
    for (let k = 0; k < 3; k++) expect(se[k]).toBeCloseTo((sa[k]! + sb[k]!) / 2, 5);
    expect(se[0]).not.toBeCloseTo(sa[0]!, 3); // both members count
    ens.dispose();
    a.dispose();
    b.dispose();
  });

  it('reads either format and names what is wrong with an ensemble manifest', async () => {
    const single = PairModel.create(tinyEncoder(3, 3), 'contrastive', meta, 3);
    await single.save(path.join(dir, 'single'));
    expect((await readModelMeta(path.join(dir, 'single'))).format).toBe('fewshot-pair-model');
    const loadedSingle = await loadModel(path.join(dir, 'single'));
    expect(loadedSingle).toBeInstanceOf(PairModel);
    loadedSingle.dispose();
    // where one model is needed (a video encoder's initFrom), an ensemble folder is named as such
    await expect(PairModel.load(path.join(dir, 'm1'))).rejects.toThrow(/this folder is an ensemble/);
    // a member replaced after training: its size no longer matches the manifest
    const m1 = JSON.parse(readFileSync(path.join(dir, 'm1', 'fewshot.json'), 'utf8'));
    const resized = path.join(dir, 'resized');
    await single.save(path.join(resized, 'member-1'));
    await saveEnsembleMeta(resized, { ...m1, members: ['member-1'] });
    await expect(loadModel(resized)).rejects.toThrow(
      /resized.fewshot.json: the members' embeddings add up to 3 values, but the manifest says 8/,
    );

    const bad = path.join(dir, 'bad');
    await saveEnsembleMeta(bad, EnsembleModel.metaOf([single.meta], ['member-1']));
    await expect(loadModel(bad)).rejects.toThrow(/cannot load member 'member-1'.*fewshot.json is missing/);
    const manifest = JSON.parse(readFileSync(path.join(bad, 'fewshot.json'), 'utf8'));
    writeFileSync(path.join(bad, 'fewshot.json'), JSON.stringify({ ...manifest, members: [] }));
    await expect(readModelMeta(bad)).rejects.toThrow(/'members' must list the member folders/);
    writeFileSync(path.join(bad, 'fewshot.json'), JSON.stringify({ ...manifest, members: ['../single'] }));
    await expect(readModelMeta(bad)).rejects.toThrow(/member '..\/single' is outside the ensemble folder/);
    await expect(readModelMeta(path.join(dir, 'none'))).rejects.toThrow(ModelError);
    expect(() => EnsembleModel.metaOf([single.meta, { ...single.meta, modality: 'other' }], ['a', 'b'])).toThrow(
      /share the modality/,
    );
    single.dispose();
  });
});
