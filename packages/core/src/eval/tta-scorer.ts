import type { EpisodeScorer } from '../baseline.js';
import type { TtaConfig } from '../config/experiment-schema.js';
import { SampleStore } from '../data/sample-store.js';
import { ConfigError } from '../errors.js';
import { augmentSettings, type Modality, type Preprocess } from '../modality.js';
import { Rng } from '../rng.js';

/**
 * Test-time augmentation around a scorer: a sample's embedding is the mean of the embeddings of the
 * sample and `views - 1` copies distorted by the modality's `augment` (with `tta.augment` settings,
 * parsed by the modality's `augmentSchema`).
 * Each copy's distortion comes from a stream forked from `seed` by the view number and the sample's
 * key (`keyOf`, e.g. its id), so a sample gets the same views whatever else is embedded with it.
 * With one view it returns `scorer` itself.
 */
export function ttaScorer(
  scorer: EpisodeScorer,
  modality: Modality,
  pre: Preprocess,
  tta: TtaConfig,
  seed: number,
  keyOf: (row: number) => string = String,
): EpisodeScorer {
  if (tta.views <= 1) return scorer;
  const augment = modality.augment?.bind(modality);
  if (!augment) {
    throw new ConfigError(`eval.tta.views is ${tta.views}, but the '${modality.id}' modality has no augmentation to make views with`, {
      hints: ['set eval.tta.views to 1'],
    });
  }
  const options = augmentSettings(modality, tta.augment, 'eval.tta.augment');
  const base = new Rng(seed).fork('tta');
  return {
    kind: `${scorer.kind}+tta${tta.views}`,
    embed(store, indices, batchSize) {
      const mean = scorer.embed(store, indices, batchSize);
      const size = store.sampleSize;
      const rows = new Float32Array(indices.length * size);
      for (let v = 1; v < tta.views; v++) {
        indices.forEach((i, k) => {
          const row = store.copyRow(i, rows, k * size).subarray(k * size, (k + 1) * size);
          augment(row, pre, options, base.fork(`${v}/${keyOf(i)}`));
        });
        const view = scorer.embed(new SampleStore(store.shape, rows), indices.map((_, k) => k), batchSize);
        for (let j = 0; j < mean.length; j++) mean[j]! += view[j]!;
      }
      for (let j = 0; j < mean.length; j++) mean[j]! /= tta.views;
      return mean;
    },
    scorePairs: (emb, left, right) => scorer.scorePairs(emb, left, right),
    dispose: () => scorer.dispose?.(),
  };
}
