/**
 * The data `fewshot bench` writes to DIR/results.json (and reads back in `bench compare` / `bench merge`).
 * Versioned: a reader checks `format === 'fewshot-bench-results'` and `version`; later versions only
 * add fields. Accuracies are fractions (0..1); times are seconds; paths are absolute unless noted.
 */

import type { EpochRecord } from '../train/trainer.js';

export const BENCH_RESULTS_FORMAT = 'fewshot-bench-results';
export const BENCH_RESULTS_VERSION = 1;

/** How a cell's method relates to its task's data: trained on the same domain, on another, or not trained. */
export type BenchDomain = 'in-domain' | 'cross-domain' | 'untrained';

/** Where and with what a results file was produced (once per file). */
export interface BenchEnvironment {
  readonly fewshotVersion: string;
  readonly node: string;
  readonly tfjs: string;
  /** Versions of the tfjs backend packages found (`@tensorflow/tfjs-backend-wasm`, `@tensorflow/tfjs-node`, ...). */
  readonly backendPackages: Readonly<Record<string, string>>;
  readonly cpu: string;
  readonly cpus: number;
  readonly platform: string;
  /** sha256 of package-lock.json (null when none was found). */
  readonly lockfileHash: string | null;
  /** `git rev-parse HEAD` of the working folder (null outside git). */
  readonly gitCommit: string | null;
}

/** One evaluation setting: a task of the bench file at one grid point (ways x shots), or its explicit runs. */
export interface BenchTaskResult {
  /** `<task>` for explicit runs, else `<task>/<N>way-<K>shot`. */
  readonly id: string;
  /** The task's name in the bench file. */
  readonly task: string;
  readonly modality: string;
  /** The data evaluated on: the split folder (or runs folder) and its include/exclude. */
  readonly data: {
    readonly path: string;
    readonly layout?: string;
    readonly include?: readonly string[];
    readonly exclude?: readonly string[];
    readonly runs?: boolean;
  };
  /** The task's name (the domains themselves are named by its cells' `source` and `target`). */
  readonly domain: string;
  readonly kind: 'episodes' | 'runs';
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  readonly episodes: number;
  readonly within?: string;
  readonly across?: string;
  readonly seed: number;
  /** Classes and samples in the split (for runs: in all runs). */
  readonly classes: number;
  readonly samples: number;
  /** sha256 of the split's sample ids, labels and file contents. */
  readonly dataFingerprint: string;
  /** Content key of the episodes (fingerprint, split, N, K, Q, episodes, seed). */
  readonly episodesKey: string;
  /** Manifest file, relative to DIR: `episodes/<id with / as .>.jsonl`. */
  readonly manifest: string;
}

/** A method of the bench file. */
export interface BenchMethodResult {
  readonly id: string;
  readonly kind: 'experiment' | 'model' | 'baseline';
  /** Human label: experiment file, model folder, or baseline id. */
  readonly label: string;
}

/** One wrong answer pattern of a cell: true class -> predicted class. */
export interface BenchConfusion {
  readonly label: string;
  readonly predicted: string;
  readonly count: number;
  /** A file of each class (for thumbnails / spectrograms). */
  readonly labelExample: string;
  readonly predictedExample: string;
}

/** One epoch of training (as in a model folder's history.json), without the trainer's speed figure. */
export type BenchEpoch = Omit<EpochRecord, 'imagesPerSecond'>;

/** A method scored on one task: the unit that is content-addressed, resumed, sharded. */
export interface BenchCellResult {
  /** Content key: sha256 of (resolved method config, task episodes key, data fingerprint, fewshot version), hex, 16 chars. */
  readonly key: string;
  /** Stable human id `<method>@<task id>`; `compare` matches cells by it. */
  readonly id: string;
  readonly method: string;
  readonly methodKind: 'experiment' | 'model' | 'baseline';
  /** The BenchTaskResult id. */
  readonly task: string;
  /** What the method learned from (`untrained` domain for baselines) and what it is tested on. */
  readonly source: string;
  readonly target: string;
  readonly domain: BenchDomain;
  /** Scorer kind (`siamese`, `naive`, `pixel-nn`, `baseline:dtw`, `ensemble of 3 siamese`). */
  readonly modelKind: string;
  /**
   * The resolved method config: for an experiment the resolved experiment config (defaults applied,
   * `set:` merged); for a model its folder and manifest (fewshot.json) with the eval.tta used; for a
   * baseline its id, modality and validated preprocess.
   */
  readonly config: Readonly<Record<string, unknown>>;
  readonly backend: string;
  /** Seed of the episodes (the task's). */
  readonly seed: number;
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  readonly episodes: number;
  readonly accuracy: number;
  /** Half-width of the normal 95% CI of the mean per-episode accuracy. */
  readonly ci95: number;
  /** Correct queries in each episode, in manifest order (each episode has ways * queries queries). */
  readonly perEpisodeCorrect: readonly number[];
  /** Up to 20 most frequent (true, predicted) pairs among the wrong answers. */
  readonly confusions: readonly BenchConfusion[];
  readonly timings: {
    /** Training time of the model (null when the method is not trained); the same for every cell sharing the model. */
    readonly trainSeconds: number | null;
    /** Its share of decoding the task's samples with the method's preprocessing (decoded once per method and task). */
    readonly decodeSeconds: number;
    /** Its share of embedding those samples (once per method and task), plus scoring its episodes. */
    readonly evalSeconds: number;
  };
  /** Trained methods: the model folder (relative to DIR, `models/<key>`), its key, and the training history. */
  readonly training?: {
    readonly modelKey: string;
    readonly model: string;
    readonly bestEpoch: number | null;
    readonly bestValAccuracy: number | null;
    readonly stoppedBecause: string;
    readonly history: readonly BenchEpoch[];
  };
  /** ISO date the cell finished. */
  readonly finishedAt: string;
}

/** Paired comparison of two methods on the same episodes of one task: a - b. */
export interface BenchComparison {
  readonly task: string;
  readonly a: string;
  readonly b: string;
  /** Mean over episodes of (accuracy of a - accuracy of b). */
  readonly meanDifference: number;
  /** Half-width of its 95% CI. */
  readonly ci95: number;
  readonly episodes: number;
}

/** DIR/results.json. */
export interface BenchResults {
  readonly format: typeof BENCH_RESULTS_FORMAT;
  readonly version: number;
  readonly bench: {
    /** The bench file as given (absolute). */
    readonly file: string;
    readonly name: string;
    /** sha256 of the bench file's resolved plan (cell keys in order): shards and merges must agree on it. */
    readonly hash: string;
    /** Cells the whole bench has (over all shards). */
    readonly cellsTotal: number;
    /** Every cell of the whole bench (over all shards), in bench order: merge names the missing ones. */
    readonly plan: readonly { readonly key: string; readonly id: string }[];
  };
  /** Present on a shard's output (absent after merge or without --shard). */
  readonly shard?: { readonly index: number; readonly count: number };
  readonly generatedAt: string;
  readonly environment: BenchEnvironment;
  readonly methods: readonly BenchMethodResult[];
  readonly tasks: readonly BenchTaskResult[];
  /** Finished cells, in bench order. */
  readonly cells: readonly BenchCellResult[];
  /** Every pair of methods with cells on the same task (same episodes). */
  readonly comparisons: readonly BenchComparison[];
}
