import type { EpisodeScorer } from '../baseline.js';
import type { TtaConfig } from '../config/experiment-schema.js';
import { SampleStore } from '../data/sample-store.js';
import { ConfigError } from '../errors.js';
import { augmentSettings, type Modality, type Preprocess } from '../modality.js';
import { Rng } from '../rng.js';

/**
 * The views test-time augmentation averages for each sample: view 0 is the sample itself, views 1 to
 * `views - 1` are copies distorted by the modality's `augment`. A view depends only on the sample and
 * its key (see `ttaScorer`), never on what else is embedded with it.
 */
export interface TtaViews {
  readonly views: number;
  /**
   * Views `fromView` .. `views - 1` of the store's rows `indices` as one store: row
   * `(v - fromView) * indices.length + k` is view v of `indices[k]` (view after view).
   */
  viewStore(store: SampleStore, indices: readonly number[], fromView?: number): SampleStore;
}

/** A scorer that averages the embeddings of each sample's views (what `ttaScorer` returns with views > 1). */
export interface TtaScorer extends EpisodeScorer {
  /** The scorer whose embeddings are averaged. */
  readonly base: EpisodeScorer;
  readonly tta: TtaViews;
}

/** Rows embedded per call of the base scorer (all views of a slice of the samples), bounding memory. */
const ROWS_PER_CALL = 4096;

/**
 * Test-time augmentation around a scorer: a sample's embedding is the mean of the embeddings of the
 * sample and `views - 1` copies distorted by the modality's `augment` (with `tta.augment` settings,
 * parsed by the modality's `augmentSchema`).
 * Each copy's distortion comes from a stream forked from `seed` by the view number and the sample's
 * key (`keyOf`, e.g. its id), so a sample gets the same views whatever else is embedded with it.
 * The views of a slice of the samples are embedded together (one call of the scorer for up to
 * 4,096 rows); the mean adds the views in order (view 0 first), so it does not depend on the slicing.
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
    throw new ConfigError(
      `eval.tta.views is ${tta.views}, but the '${modality.id}' modality has no augmentation to make views with`,
      {
        hints: ['set eval.tta.views to 1'],
      },
    );
  }
  const options = augmentSettings(modality, tta.augment, 'eval.tta.augment');
  const base = new Rng(seed).fork('tta');
  const views: TtaViews = {
    views: tta.views,
    viewStore(store, indices, fromView = 0) {
      const size = store.sampleSize;
      const n = indices.length;
      const rows = new Float32Array((tta.views - fromView) * n * size);
      for (let v = fromView; v < tta.views; v++) {
        indices.forEach((i, k) => {
          const at = ((v - fromView) * n + k) * size;
          store.copyRow(i, rows, at);
          if (v > 0) augment(rows.subarray(at, at + size), pre, options, base.fork(`${v}/${keyOf(i)}`));
        });
      }
      return new SampleStore(store.shape, rows);
    },
  };
  const result: TtaScorer = {
    kind: `${scorer.kind}+tta${tta.views}`,
    base: scorer,
    tta: views,
    embed(store, indices, batchSize) {
      let mean: Float32Array | undefined;
      const slice = Math.max(1, Math.floor(ROWS_PER_CALL / tta.views));
      for (let s = 0; s < indices.length; s += slice) {
        const part = indices.slice(s, s + slice);
        const all = scorer.embed(
          views.viewStore(store, part),
          Array.from({ length: part.length * tta.views }, (_, r) => r),
          batchSize,
        );
        mean ??= new Float32Array((indices.length * all.length) / (part.length * tta.views));
        addViewMeans(all, part.length, tta.views, mean, s);
      }
      return mean ?? new Float32Array(0);
    },
    scorePairs: (emb, left, right) => scorer.scorePairs(emb, left, right),
    dispose: () => scorer.dispose?.(),
  };
  return result;
}

/** `scorer` as a TtaScorer, or undefined when it averages no views. */
export function asTtaScorer(scorer: EpisodeScorer): TtaScorer | undefined {
  const t = scorer as Partial<TtaScorer>;
  return t.tta !== undefined && t.base !== undefined ? (t as TtaScorer) : undefined;
}

/**
 * Average the view embeddings `all` of `n` samples (view after view, as `TtaViews.viewStore` lays
 * them out) into rows `at` .. `at + n - 1` of `out`: view 0, plus view 1, ... in float32 and in view
 * order, then divided by the number of views.
 */
export function addViewMeans(all: Float32Array, n: number, views: number, out: Float32Array, at: number): void {
  const d = all.length / (n * views);
  const o = at * d;
  const first = all.subarray(0, n * d);
  out.set(first, o);
  for (let v = 1; v < views; v++) {
    const view = all.subarray(v * n * d, (v + 1) * n * d);
    for (let j = 0; j < n * d; j++) out[o + j]! += view[j]!;
  }
  for (let j = 0; j < n * d; j++) out[o + j]! /= views;
}
