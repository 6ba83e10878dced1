import { fileURLToPath } from 'node:url';
import { describeConformance } from '@fewshot/core/testing';
import plugin, { DENSE_ENCODER_ID, MODALITY_ID, parseVector } from './index.js';

// The conformance suite every fewshot plugin passes: loading the fixture, decoding to the declared
// sample shape, determinism, a bad file refused with a DataError, augmentation, encoders building and
// embedding. The fixture is fixtures/<class>/<files>: 3 classes of 3 samples.
describeConformance({
  plugin,
  modality: MODALITY_ID,
  fixture: fileURLToPath(new URL('../fixtures', import.meta.url)),
  preprocess: { length: 8 },
  augment: { noise: 0.1 },
  encoders: [DENSE_ENCODER_ID],
});

// Tests of your own code go here too.
describe('parseVector', () => {
  it('reads JSON arrays and CSV numbers', () => {
    expect(Array.from(parseVector('[1, 2.5, -3]', 'a.json'))).toEqual([1, 2.5, -3]);
    expect(Array.from(parseVector('1,2.5\n-3e0', 'a.csv'))).toEqual([1, 2.5, -3]);
  });

  it('names the file when a value is not a number', () => {
    expect(() => parseVector('1,x,3', 'bad.csv')).toThrow(/bad\.csv: value 2 is not a finite number/);
  });
});
