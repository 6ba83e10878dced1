import { preprocessWithOverrides } from './eval-command.js';

describe('preprocessWithOverrides', () => {
  const saved = { frames: 8, size: 28, sampling: 'uniform', mfcc: { coefficients: 13, deltas: true } };

  it('keeps the saved preprocessing when nothing is set', () => {
    expect(preprocessWithOverrides(saved, ['eval.ways=5', 'data.test.path=x'])).toEqual(saved);
  });

  it('applies explicit data.preprocess keys, nested ones key by key', () => {
    const out = preprocessWithOverrides(saved, ['data.preprocess.sampling=last', 'data.preprocess.mfcc.coefficients=20']);
    expect(out).toEqual({ frames: 8, size: 28, sampling: 'last', mfcc: { coefficients: 20, deltas: true } });
    expect(saved.sampling).toBe('uniform'); // not mutated
    expect(saved.mfcc.coefficients).toBe(13);
  });

  it('merges a whole mapping and rejects a non-mapping', () => {
    expect(preprocessWithOverrides(saved, ['data.preprocess={size: 56}'])).toMatchObject({ size: 56, frames: 8 });
    expect(() => preprocessWithOverrides(saved, ['data.preprocess=3'])).toThrow(/data.preprocess must be a mapping/);
  });
});
