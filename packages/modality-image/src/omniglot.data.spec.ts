// Real-data test: reads the Omniglot background set from $FEWSHOT_TEST_DATA, else ../shared/data (next to the repository).
// Missing data fails the test (a silent skip would hide a broken setup). Run on its own with
// `jest omniglot.data`; `npm run test:unit` leaves out every `*.data.spec` / `*.data.test` file.
import { join } from 'node:path';
import { testDataDir, testDataPath } from '@fewshot/core/testing';
import { ImageModality } from './image-modality.js';

const root = join(testDataDir(import.meta.url), 'omniglot', 'images_background');

describe('omniglot real data', () => {
  const modality = new ImageModality();

  beforeAll(() => {
    testDataPath(import.meta.url, 'omniglot', 'images_background'); // fails naming FEWSHOT_TEST_DATA when missing
  });

  it('loads the background set: 30 alphabets, 964 characters, 19,280 images, 20 drawers each', async () => {
    const set = await modality.load({ name: 'data.train', path: root, layout: 'omniglot', options: {} });
    expect(new Set(set.samples.map((s) => s.attrs?.['alphabet'])).size).toBe(30);
    expect(set.classes.length).toBe(964);
    expect(set.size).toBe(19_280);
    expect(set.classes.every((c) => set.of(c).length === 20)).toBe(true);
    expect(new Set(set.of('Greek/character01').map((s) => s.attrs?.['drawer'])).size).toBe(20);
    const latin = await modality.load({
      name: 'data.train',
      path: root,
      layout: 'omniglot',
      options: {},
      include: ['Latin'],
    });
    expect(latin.classes.length).toBe(26);
  });

  it('decodes an image: binary at 105x105, a plausible ink fraction at 28x28', async () => {
    const file = join(root, 'Greek/character01', '0394_01.png');
    const full = await modality.decode(
      { id: file, path: file, label: 'Greek/character01' },
      modality.preprocessSchema.parse({ size: 105 }),
    );
    expect(full.length).toBe(105 * 105);
    expect(full.every((v) => v === 0 || v === 1)).toBe(true);
    const small = await modality.decode(
      { id: file, path: file, label: 'Greek/character01' },
      modality.preprocessSchema.parse({}),
    );
    expect(small.length).toBe(28 * 28);
    const ink = small.reduce((s, v) => s + v, 0) / small.length;
    expect(ink).toBeGreaterThan(0.02);
    expect(ink).toBeLessThan(0.3);
    // area averaging preserves the ink: the means at both sizes agree
    expect(ink).toBeCloseTo(full.reduce((s, v) => s + v, 0) / full.length, 5);
  });
});
