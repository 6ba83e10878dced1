// The image plugin passes the conformance suite every fewshot plugin runs (@fewshot/core/testing).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { describeConformance } from '@fewshot/core/testing';

/** 2 classes x 3 grey 28x28 PNGs: a vertical and a horizontal bar, shifted a little per sample. */
const fixture = mkdtempSync(join(tmpdir(), 'fewshot-image-conformance-'));
for (const label of ['horizontal', 'vertical']) {
  mkdirSync(join(fixture, label));
  for (let s = 0; s < 3; s++) {
    const data = Uint8Array.from({ length: 28 * 28 }, (_, i) => {
      const [y, x] = [Math.floor(i / 28), i % 28];
      const along = label === 'vertical' ? x : y;
      return Math.abs(along - 12 - s) < 3 ? 0 : 255;
    });
    writeFileSync(
      join(fixture, label, `${label}-${s}.png`),
      encodePng({ width: 28, height: 28, channels: 1, depth: 8, data }),
    );
  }
}
afterAll(() => rmSync(fixture, { recursive: true, force: true }));

describeConformance({
  plugin: '@fewshot/modality-image',
  modality: 'image',
  fixture,
  layout: 'folder',
  preprocess: { size: 28 },
  augment: { affine: true, rotateClasses: true },
  encoders: ['conv4'],
});

// Koch et al.'s encoder needs larger inputs (the fixture is resized up to 72x72); a small embedding keeps it quick.
describeConformance({
  plugin: '@fewshot/modality-image',
  modality: 'image',
  fixture,
  layout: 'folder',
  preprocess: { size: 72 },
  encoders: ['koch'],
  encoderOptions: { koch: { embedding: 32 } },
});
