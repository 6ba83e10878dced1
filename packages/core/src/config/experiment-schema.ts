import { z } from 'zod';

/**
 * The experiment YAML schema. Every section has defaults, so a minimal experiment names only its data.
 * Objects are strict: an unknown key is an error (with a suggestion for a misspelt one).
 * `prefault` (zod 4) runs a section's default through its schema, so nested defaults apply.
 */

/** One split of a data set: a folder, its layout and which groups (alphabets, classes) to take. */
export const SplitSchema = z.strictObject({
  /** Folder, relative to `data.root` (itself relative to $FEWSHOT_DATA, default ./data) or absolute. */
  path: z.string().min(1),
  /** Layout id understood by the modality; defaults to `data.layout`. */
  layout: z.string().min(1).optional(),
  /** Only these top-level groups (Omniglot: alphabets; folder layout: classes). */
  include: z.array(z.string().min(1)).optional(),
  /** All but these top-level groups. */
  exclude: z.array(z.string().min(1)).optional(),
  /** Layout-specific options. */
  options: z.record(z.string(), z.unknown()).prefault({}),
});
export type SplitConfig = z.infer<typeof SplitSchema>;

/** N-way K-shot Q-query episodes. */
export const EpisodesSchema = z.strictObject({
  ways: z.int().min(2).max(1000).default(20),
  shots: z.int().min(1).max(1000).default(1),
  queries: z.int().min(1).max(1000).default(1),
  episodes: z.int().min(1).max(1_000_000).default(1000),
  /** Draw all classes of an episode from one group sharing this sample attribute (Omniglot: `alphabet`, as in Lake's runs). */
  within: z.string().min(1).optional(),
  /** Take each class's support and query samples from different values of this attribute (`speaker`, `drawer`). */
  across: z.string().min(1).optional(),
});
export type EpisodesConfig = z.infer<typeof EpisodesSchema>;

export const DataSchema = z.strictObject({
  /** Base folder of the relative split paths; relative to $FEWSHOT_DATA (default ./data). */
  root: z.string().default('.'),
  /** Default layout of every split. */
  layout: z.string().min(1).optional(),
  /** Modality-specific decoding settings (validated by the modality's own schema). */
  preprocess: z.record(z.string(), z.unknown()).prefault({}),
  train: SplitSchema.optional(),
  validation: SplitSchema.optional(),
  test: SplitSchema.optional(),
  /** Folder of explicit one-shot runs in Lake's format (`runNN/training`, `runNN/test`, `runNN/class_labels.txt`). */
  runs: z.string().min(1).optional(),
  /** Reuse decoded splits from the cache folder ($FEWSHOT_CACHE, default ./.cache/fewshot) while files and settings are unchanged. */
  cache: z.boolean().default(true),
  /** How decoded samples are held: auto = uint8 (error <= 0.5/255) when all values lie in [0,1], else float32. */
  storage: z.enum(['auto', 'float32', 'uint8']).default('auto'),
  /**
   * Let splits share class labels (new speakers saying known words: split by speaker, not by class).
   * Files are never shared either way.
   */
  sharedClasses: z.boolean().default(false),
  /** What to do with a sample that cannot be decoded: stop with an error, or skip it and list it. */
  onBadSample: z.enum(['error', 'skip']).default('error'),
});
export type DataConfig = z.infer<typeof DataSchema>;

export const ModelSchema = z.strictObject({
  /** `siamese`: shared-weight twin encoder + distance head; `naive`: the lecture's baseline, dense layers on the concatenated pair. */
  type: z.enum(['siamese', 'naive']).default('siamese'),
  /** Encoder id (see `fewshot plugins`); defaults to the modality's default encoder. */
  encoder: z.string().min(1).optional(),
  encoderOptions: z.record(z.string(), z.unknown()).prefault({}),
  /** `contrastive`: Euclidean distance + contrastive loss; `l1-sigmoid`: Koch et al. 2015; `cosine`: scaled cosine + sigmoid. */
  head: z.enum(['contrastive', 'l1-sigmoid', 'cosine']).default('l1-sigmoid'),
  /** Margin of the contrastive loss. */
  margin: z.number().positive().max(1000).default(1),
  /**
   * Members of an ensemble: `fewshot train` trains this many models one after another (member k with
   * seed `seed + k` and `train.timeLimitMinutes / ensemble` minutes, so the time budget stays the same)
   * into sub-folders of --out; the ensemble scores a pair with the mean of its members' scores.
   */
  ensemble: z.int().min(1).max(16).default(1),
  naive: z
    .strictObject({
      hidden: z.array(z.int().min(1).max(65536)).min(1).default([256, 64]),
      dropout: z.number().min(0).max(0.95).default(0),
    })
    .prefault({}),
});
export type ModelConfig = z.infer<typeof ModelSchema>;

export const ScheduleSchema = z.strictObject({
  type: z.enum(['constant', 'step', 'exponential', 'cosine']).default('constant'),
  /** step: multiply by `gamma` every `stepEpochs`; exponential: by `gamma` every epoch. */
  gamma: z.number().positive().max(1).default(0.5),
  stepEpochs: z.int().min(1).default(10),
  /** cosine: floor of the learning rate. */
  minLearningRate: z.number().min(0).default(0),
  /** Linear warm-up from 0 over this many epochs. */
  warmupEpochs: z.int().min(0).default(0),
});

export const TrainSchema = z.strictObject({
  /**
   * Training objective, all on the same encoder: `pairs` (balanced same/different pairs and the head's
   * loss), `triplet` (anchor/positive/negative, margin loss on Euclidean distances), `prototypes`
   * (N-way K-shot episodes, softmax over negative squared distances to class means; Snell et al. 2017).
   * `triplet` and `prototypes` train distances, so they need `model.head: contrastive`.
   */
  objective: z.string().min(1).default('pairs'),
  /** Episode shape of the `prototypes` objective (one episode per step). */
  episode: z
    .strictObject({
      ways: z.int().min(2).max(1000).default(20),
      shots: z.int().min(1).max(100).default(1),
      queries: z.int().min(1).max(100).default(5),
    })
    .prefault({}),
  /** 0: save the model as built (from trained parts, e.g. `initFrom`), without training or data.train. */
  epochs: z.int().min(0).max(100_000).default(20),
  stepsPerEpoch: z.int().min(1).max(1_000_000).default(100),
  /** Pairs (or triplets) per step. */
  batchSize: z.int().min(2).max(65536).default(64),
  optimizer: z.enum(['adam', 'sgd', 'momentum', 'rmsprop']).default('adam'),
  learningRate: z.number().positive().max(10).default(0.001),
  momentum: z.number().min(0).lt(1).default(0.9),
  schedule: ScheduleSchema.prefault({}),
  /** Stop when validation accuracy has not improved by `minDelta` for `patience` epochs (0 = never stop early). */
  earlyStopping: z
    .strictObject({
      patience: z.int().min(0).default(5),
      minDelta: z.number().min(0).max(1).default(0),
    })
    .prefault({}),
  /** Validation one-shot episodes run after every epoch on `data.validation`. */
  validation: EpisodesSchema.extend({ episodes: z.int().min(1).max(100_000).default(200) }).prefault({}),
  /**
   * Worker threads for data-parallel training (the wasm and cpu backends use one core each):
   * `auto` = one per core (at most 4) on wasm/cpu, 1 on the native backend. With W workers, pairs and
   * triplets are split W ways; `prototypes` gives every worker an episode of its own (W episodes a step).
   */
  workers: z.union([z.literal('auto'), z.int().min(1).max(64)]).default(1),
  /** Stop training (keeping the best checkpoint) after this many minutes. */
  timeLimitMinutes: z.number().positive().optional(),
  /** Modality-specific augmentation settings, passed to `Modality.augment`; empty disables augmentation. */
  augment: z.record(z.string(), z.unknown()).prefault({}),
});
export type TrainConfig = z.infer<typeof TrainSchema>;

/**
 * Test-time augmentation: each sample's embedding is the mean of the embeddings of `views` views: the
 * sample itself and `views - 1` copies distorted by the modality's `augment` with `augment` settings
 * (the same keys as `train.augment`), drawn from a seeded stream so that results repeat.
 */
export const TtaSchema = z.strictObject({
  views: z.int().min(1).max(64).default(1),
  augment: z.record(z.string(), z.unknown()).prefault({}),
});
export type TtaConfig = z.infer<typeof TtaSchema>;

export const EvalSchema = EpisodesSchema.extend({
  /** Samples embedded per batch. */
  batchSize: z.int().min(1).max(65536).default(256),
  /** Test-time augmentation (views averaged in embedding space); one view (none) by default. */
  tta: TtaSchema.prefault({}),
});
export type EvalConfig = z.infer<typeof EvalSchema>;

export const ExperimentSchema = z.strictObject({
  name: z.string().min(1).default('experiment'),
  description: z.string().optional(),
  seed: z.int().min(0).max(2 ** 32 - 1).default(42),
  /** Plugins to load besides the built-in ones: package names or paths (relative to the YAML file). */
  plugins: z.array(z.string().min(1)).default([]),
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  modality: z.string().min(1).default('image'),
  data: DataSchema,
  model: ModelSchema.prefault({}),
  train: TrainSchema.prefault({}),
  eval: EvalSchema.prefault({}),
});
export type ExperimentConfig = z.infer<typeof ExperimentSchema>;
