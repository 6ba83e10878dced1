import { z } from 'zod';

/**
 * The experiment YAML schema. Every section has defaults, so a minimal experiment names only its data.
 * Objects are strict: an unknown key is an error (with a suggestion for a misspelt one).
 * `prefault` (zod 4) runs a section's default through its schema, so nested defaults apply.
 * Every key's description is in `.describe(...)`: `fewshot schema` (the JSON Schema editors read) and
 * docs/configuration.md are generated from them.
 */

/** One split of a data set: a folder, its layout and which groups (alphabets, classes) to take. */
export const SplitSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .describe('Folder, relative to `data.root` (itself relative to $FEWSHOT_DATA, default ./data) or absolute.'),
  layout: z.string().min(1).optional().describe('Layout id understood by the modality; defaults to `data.layout`.'),
  include: z
    .array(z.string().min(1))
    .optional()
    .describe('Only these top-level groups (Omniglot: alphabets; folder layout: classes).'),
  exclude: z.array(z.string().min(1)).optional().describe('All but these top-level groups.'),
  options: z
    .record(z.string(), z.unknown())
    .prefault({})
    .describe("Layout-specific options (see the layout's loader)."),
});
export type SplitConfig = z.infer<typeof SplitSchema>;

/** N-way K-shot Q-query episodes. */
export const EpisodesSchema = z.strictObject({
  ways: z.int().min(2).max(1000).default(20).describe('N: classes per episode.'),
  shots: z.int().min(1).max(1000).default(1).describe('K: support samples per class.'),
  queries: z.int().min(1).max(1000).default(1).describe('Query samples per class.'),
  episodes: z.int().min(1).max(1_000_000).default(1000).describe('Episodes drawn (seeded by `seed`).'),
  within: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Draw all classes of an episode from one group sharing this sample attribute (Omniglot: `alphabet`, as in Lake's runs).",
    ),
  across: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Take each class's support and query samples from different values of this attribute (`speaker`, `drawer`).",
    ),
});
export type EpisodesConfig = z.infer<typeof EpisodesSchema>;

export const DataSchema = z.strictObject({
  root: z
    .string()
    .default('.')
    .describe('Base folder of the relative split paths; relative to $FEWSHOT_DATA (default ./data).'),
  layout: z
    .string()
    .min(1)
    .optional()
    .describe("Default layout of every split (see the modality's layouts in `fewshot plugins`)."),
  preprocess: z
    .record(z.string(), z.unknown())
    .prefault({})
    .describe("Modality-specific decoding settings (validated by the modality's own schema)."),
  train: SplitSchema.optional().describe('Training split (needed unless `train.epochs` is 0).'),
  validation: SplitSchema.optional().describe(
    'Validation split: episodes after every epoch choose the best checkpoint.',
  ),
  test: SplitSchema.optional().describe('Test split: the final evaluation, on classes never seen in training.'),
  runs: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Folder of explicit one-shot runs in Lake's format (`runNN/training`, `runNN/test`, `runNN/class_labels.txt`).",
    ),
  cache: z
    .boolean()
    .default(true)
    .describe(
      'Reuse decoded splits from the cache folder ($FEWSHOT_CACHE, default ./.cache/fewshot) while files and settings are unchanged.',
    ),
  storage: z
    .enum(['auto', 'float32', 'uint8'])
    .default('auto')
    .describe(
      'How decoded samples are held: auto = uint8 (error <= 0.5/255) when all values lie in [0,1], else float32.',
    ),
  sharedClasses: z
    .boolean()
    .default(false)
    .describe(
      'Let splits share class labels (new speakers saying known words: split by speaker, not by class). Files are never shared either way.',
    ),
  onBadSample: z
    .enum(['error', 'skip'])
    .default('error')
    .describe('What to do with a sample that cannot be decoded: stop with an error, or skip it and list it.'),
});
export type DataConfig = z.infer<typeof DataSchema>;

export const ModelSchema = z.strictObject({
  type: z
    .enum(['siamese', 'naive'])
    .default('siamese')
    .describe(
      "`siamese`: shared-weight twin encoder + distance head; `naive`: the lecture's baseline, dense layers on the concatenated pair.",
    ),
  encoder: z
    .string()
    .min(1)
    .optional()
    .describe("Encoder id (see `fewshot plugins`); defaults to the modality's default encoder."),
  encoderOptions: z
    .record(z.string(), z.unknown())
    .prefault({})
    .describe(
      "Options of the chosen encoder (validated by the encoder's own schema), e.g. conv4's `filters`, `lastFilters`, `finalPool`.",
    ),
  initFrom: z
    .string()
    .min(1)
    .nullable()
    .optional()
    .transform((v) => v ?? undefined) // null (e.g. `--set model.initFrom=null`): start from scratch
    .describe(
      "A fewshot model folder (relative to the config's folder) to start the encoder from: the encoder is built as `encoder` and `encoderOptions` say, then every weight is copied from that model's encoder (the same network, trained on other data: pre-training). Each ensemble member starts from it, or, when it is an ensemble, from its member of the same number. The head starts fresh. `null`: from scratch (to override a config's).",
    ),
  head: z
    .enum(['contrastive', 'l1-sigmoid', 'cosine'])
    .default('l1-sigmoid')
    .describe(
      '`contrastive`: Euclidean distance + contrastive loss; `l1-sigmoid`: Koch et al. 2015; `cosine`: scaled cosine + sigmoid.',
    ),
  margin: z.number().positive().max(1000).default(1).describe('Margin of the contrastive loss.'),
  ensemble: z
    .int()
    .min(1)
    .max(16)
    .default(1)
    .describe(
      "Members of an ensemble: `fewshot train` trains this many models one after another (member k with seed `seed + k` and `train.timeLimitMinutes / ensemble` minutes, so the time budget stays the same) into sub-folders of --out; the ensemble scores a pair with the mean of its members' scores.",
    ),
  naive: z
    .strictObject({
      hidden: z.array(z.int().min(1).max(65536)).min(1).default([256, 64]).describe('Widths of the dense layers.'),
      dropout: z.number().min(0).max(0.95).default(0).describe('Dropout rate after each dense layer.'),
    })
    .prefault({})
    .describe('The naive model (`type: naive`): dense layers on the concatenated pair.'),
});
export type ModelConfig = z.infer<typeof ModelSchema>;

export const ScheduleSchema = z.strictObject({
  type: z
    .enum(['constant', 'step', 'exponential', 'cosine'])
    .default('constant')
    .describe('How the learning rate changes from epoch to epoch.'),
  gamma: z
    .number()
    .positive()
    .max(1)
    .default(0.5)
    .describe('step: multiply by `gamma` every `stepEpochs`; exponential: by `gamma` every epoch.'),
  stepEpochs: z.int().min(1).default(10).describe('step: epochs between two multiplications by `gamma`.'),
  minLearningRate: z.number().min(0).default(0).describe('cosine: floor of the learning rate.'),
  warmupEpochs: z.int().min(0).default(0).describe('Linear warm-up from 0 over this many epochs.'),
});

export const TrainSchema = z.strictObject({
  objective: z
    .string()
    .min(1)
    .default('pairs')
    .describe(
      "Training objective (id; plugins can add more, see `fewshot plugins`), all on the same encoder: `pairs` (balanced same/different pairs and the head's loss), `triplet` (anchor/positive/negative, margin loss on Euclidean distances), `prototypes` (N-way K-shot episodes, softmax over negative squared distances to class means; Snell et al. 2017). `triplet` and `prototypes` train distances, so they need `model.head: contrastive`.",
    ),
  episode: z
    .strictObject({
      ways: z.int().min(2).max(1000).default(20).describe('N: classes per training episode.'),
      shots: z.int().min(1).max(100).default(1).describe('K: support samples per class.'),
      queries: z.int().min(1).max(100).default(5).describe('Query samples per class.'),
    })
    .prefault({})
    .describe('Episode shape of the `prototypes` objective (one episode per step).'),
  epochs: z
    .int()
    .min(0)
    .max(100_000)
    .default(20)
    .describe(
      'Training epochs. 0: save the model as built (from trained parts, e.g. `initFrom`), without training or data.train.',
    ),
  stepsPerEpoch: z.int().min(1).max(1_000_000).default(100).describe('Optimizer steps per epoch.'),
  batchSize: z.int().min(2).max(65536).default(64).describe('Pairs (or triplets) per step.'),
  optimizer: z.enum(['adam', 'sgd', 'momentum', 'rmsprop']).default('adam').describe('Optimizer (tfjs).'),
  learningRate: z.number().positive().max(10).default(0.001).describe('Initial learning rate (see `schedule`).'),
  momentum: z.number().min(0).lt(1).default(0.9).describe('Momentum of the `momentum` optimizer.'),
  schedule: ScheduleSchema.prefault({}).describe('Learning-rate schedule.'),
  earlyStopping: z
    .strictObject({
      patience: z
        .int()
        .min(0)
        .default(5)
        .describe('Epochs without improvement before stopping (0 = never stop early).'),
      minDelta: z
        .number()
        .min(0)
        .max(1)
        .default(0)
        .describe('Smallest gain of validation accuracy that counts as an improvement.'),
    })
    .prefault({})
    .describe(
      'Stop when validation accuracy has not improved by `minDelta` for `patience` epochs (0 = never stop early).',
    ),
  validation: EpisodesSchema.extend({
    episodes: z.int().min(1).max(100_000).default(200).describe('Episodes drawn (seeded by `seed`).'),
  })
    .prefault({})
    .describe('Validation one-shot episodes run after every epoch on `data.validation`.'),
  workers: z
    .union([z.literal('auto'), z.int().min(1).max(64)])
    .default(1)
    .describe(
      'Worker threads for data-parallel training (the wasm and cpu backends use one core each): `auto` = one per core (at most 4) on wasm/cpu, 1 on the native backend. With W workers, pairs and triplets are split W ways; `prototypes` gives every worker an episode of its own (W episodes a step).',
    ),
  timeLimitMinutes: z
    .number()
    .positive()
    .optional()
    .describe(
      "A guard: stop training (keeping the best checkpoint) after this many minutes. A run the limit ends depends on the machine's speed (training warns when it happens); for a recipe that gives the same model on any machine, fix `epochs` and `stepsPerEpoch` and set the limit well above their time.",
    ),
  augment: z
    .record(z.string(), z.unknown())
    .prefault({})
    .describe('Modality-specific augmentation settings, passed to `Modality.augment`; empty disables augmentation.'),
});
export type TrainConfig = z.infer<typeof TrainSchema>;

/**
 * Test-time augmentation: each sample's embedding is the mean of the embeddings of `views` views: the
 * sample itself and `views - 1` copies distorted by the modality's `augment` with `augment` settings
 * (the same keys as `train.augment`), drawn from a seeded stream so that results repeat.
 */
export const TtaSchema = z.strictObject({
  views: z
    .int()
    .min(1)
    .max(64)
    .default(1)
    .describe('Views averaged per sample: the sample itself and `views - 1` augmented copies.'),
  augment: z
    .record(z.string(), z.unknown())
    .prefault({})
    .describe('Augmentation settings of the extra views (the same keys as `train.augment`).'),
});
export type TtaConfig = z.infer<typeof TtaSchema>;

export const EvalSchema = EpisodesSchema.extend({
  batchSize: z.int().min(1).max(65536).default(256).describe('Samples embedded per batch.'),
  tta: TtaSchema.prefault({}).describe(
    'Test-time augmentation (views averaged in embedding space); one view (none) by default.',
  ),
  normalize: z
    .enum(['none', 'l2'])
    .default('none')
    .describe(
      "`l2`: scale every embedding (each ensemble member's part on its own, after averaging the views) to unit length before scoring, so a Euclidean head compares directions only. For siamese models; baselines and the naive model compare raw inputs and ignore it.",
    ),
});
export type EvalConfig = z.infer<typeof EvalSchema>;

export const ExperimentSchema = z.strictObject({
  name: z.string().min(1).default('experiment').describe('Name of the experiment, saved with its results.'),
  description: z.string().optional().describe('Free text saved with the results.'),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(42)
    .describe('Seed of everything random: pairs, episodes, augmentation, weight initialisation.'),
  plugins: z
    .array(z.string().min(1))
    .default([])
    .describe('Plugins to load besides the built-in ones: package names or paths (relative to the YAML file).'),
  backend: z
    .enum(['auto', 'tensorflow', 'wasm', 'cpu'])
    .default('auto')
    .describe('Compute backend; `auto` takes the first available of tensorflow (tfjs-node), wasm, cpu.'),
  modality: z
    .string()
    .min(1)
    .default('image')
    .describe('Modality id (built in: image, audio, video, timeseries; see `fewshot plugins`).'),
  data: DataSchema.describe('Where the samples are and how they are decoded.'),
  model: ModelSchema.prefault({}).describe('The network: encoder, distance head, ensemble.'),
  train: TrainSchema.prefault({}).describe(
    'Training: objective, optimizer, schedule, validation, workers, augmentation.',
  ),
  eval: EvalSchema.prefault({}).describe('Final evaluation: N-way K-shot episodes on `data.test` (or `data.runs`).'),
});
export type ExperimentConfig = z.infer<typeof ExperimentSchema>;
