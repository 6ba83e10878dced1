import { applyOverridesAt } from '../../config/apply-overrides.js';

// `fewshot eval --model`: the model's saved data.preprocess with the command line's data.preprocess overrides on top
describe('applyOverridesAt (a saved model preprocessing with --set data.preprocess...)', () => {
  const saved = { frames: 8, size: 28, sampling: 'uniform', mfcc: { coefficients: 13, deltas: true } };
  const at = (sets: string[]) => applyOverridesAt(saved, sets, 'data.preprocess', "model's fewshot.json");

  it('keeps the saved preprocessing when nothing is set', () => {
    expect(at(['eval.ways=5', 'data.test.path=x'])).toEqual(saved);
  });

  it('applies explicit data.preprocess keys, nested ones key by key', () => {
    const out = at(['data.preprocess.sampling=last', 'data.preprocess.mfcc.coefficients=20']);
    expect(out).toEqual({ frames: 8, size: 28, sampling: 'last', mfcc: { coefficients: 20, deltas: true } });
    expect(saved.sampling).toBe('uniform'); // not mutated
    expect(saved.mfcc.coefficients).toBe(13);
  });

  it('merges a whole mapping and rejects a non-mapping', () => {
    expect(at(['data.preprocess={size: 56}'])).toMatchObject({ size: 56, frames: 8 });
    expect(() => at(['data.preprocess=3'])).toThrow(/data.preprocess must be a mapping/);
  });

  it('creates missing mappings, applies overrides in order, and names a scalar it cannot set inside', () => {
    expect(at(['data.preprocess.extra.deep=1', 'data.preprocess.size=30', 'data.preprocess.size=32'])).toMatchObject({
      extra: { deep: 1 },
      size: 32,
    });
    expect(() => at(['data.preprocess.size.x=1'])).toThrow(
      /cannot set 'x' inside 'data.preprocess.size', which is a number \(28\) at model's fewshot.json/,
    );
  });
});
