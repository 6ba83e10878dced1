import { z } from 'zod';

/**
 * The bench YAML schema (`fewshot bench BENCH.yaml`): tasks (data to evaluate on), methods (what to
 * evaluate) and cells (which method on which task, with the domain each learned from and is tested
 * on). Objects are strict: an unknown key is an error, with a suggestion for a misspelt one.
 */

/** Names of tasks and methods: they become parts of file names and cell ids. */
const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, - and _ (starting with a letter or digit)');

const IntList = (min: number, max: number) => z.union([z.int().min(min).max(max), z.array(z.int().min(min).max(max)).min(1)]);

/** A data set split to evaluate on: random N-way K-shot episodes of a folder, or explicit runs in Lake's format. */
export const BenchTaskSchema = z.strictObject({
  modality: z.string().min(1),
  /** Base folder of `path` and `runs`; relative to $FEWSHOT_DATA (default ./data), as an experiment's `data.root`. */
  root: z.string().default('.'),
  /** The split's folder (relative to `root`), as an experiment's `data.test.path`. */
  path: z.string().min(1).optional(),
  /** Folder of explicit runs in Lake's format (relative to `root`) instead of random episodes. */
  runs: z.string().min(1).optional(),
  layout: z.string().min(1).optional(),
  include: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  options: z.record(z.string(), z.unknown()).prefault({}),
  /** Decoding for the baselines that do not name their own (models and experiments decode their way). */
  preprocess: z.record(z.string(), z.unknown()).prefault({}),
  /** N: a number or a list (a grid). */
  ways: IntList(2, 1000).default(5),
  /** K: a number or a list (a grid). */
  shots: IntList(1, 1000).default(1),
  queries: z.int().min(1).max(1000).default(1),
  episodes: z.int().min(1).max(1_000_000).default(200),
  within: z.string().min(1).optional(),
  across: z.string().min(1).optional(),
  /** Seed of the episodes (default: the bench's `seed`). */
  seed: z.int().min(0).max(2 ** 32 - 1).optional(),
});
export type BenchTaskSpec = z.infer<typeof BenchTaskSchema>;

/** Something to evaluate: an experiment to train, a trained model folder, or a parameter-free baseline. */
export const BenchMethodSchema = z.strictObject({
  /** Experiment YAML to train (once per distinct resolved config); the naive network is one with `model.type: naive`. */
  experiment: z.string().min(1).optional(),
  /** `--set` overrides of the experiment: a list of `key=value`, or a mapping of dotted keys to values. */
  set: z.union([z.array(z.string().min(1)), z.record(z.string(), z.unknown())]).optional(),
  /** A model folder (`models/omniglot`); it decodes with its own preprocessing. */
  model: z.string().min(1).optional(),
  /** A baseline id: `pixel` (raw-input nearest neighbour) or one a plugin provides (`dtw`, ...). */
  baseline: z.string().min(1).optional(),
  /** A baseline's decoding (default: the task's `preprocess`, or the experiment's when `experiment` is given). */
  preprocess: z.record(z.string(), z.unknown()).optional(),
  /** Use the test-time augmentation of the model's or experiment's `eval.tta` (default true). */
  tta: z.boolean().default(true),
});
export type BenchMethodSpec = z.infer<typeof BenchMethodSchema>;

/** Which methods run on which tasks; `source` -> `target` says what they learned from and are tested on. */
export const BenchCellsSchema = z.strictObject({
  method: Name.optional(),
  methods: z.array(Name).min(1).optional(),
  task: Name.optional(),
  tasks: z.array(Name).min(1).optional(),
  /** The domain the methods learned from (for a baseline: anything; its cells are marked untrained). */
  source: z.string().min(1),
  /** The domain of the tasks. `source` = `target`: in-domain; otherwise cross-domain. */
  target: z.string().min(1),
});
export type BenchCellsSpec = z.infer<typeof BenchCellsSchema>;

export const BenchSchema = z.strictObject({
  name: z.string().min(1).default('bench'),
  description: z.string().optional(),
  /** Default seed of the tasks' episodes. */
  seed: z.int().min(0).max(2 ** 32 - 1).default(1),
  /** Backend of the models and baselines evaluated (experiments train and evaluate with theirs unless set). */
  backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  /** Plugins to load besides the built-in ones (paths relative to the bench file). */
  plugins: z.array(z.string().min(1)).default([]),
  tasks: z.record(Name, BenchTaskSchema),
  methods: z.record(Name, BenchMethodSchema),
  cells: z.array(BenchCellsSchema).min(1),
});
export type BenchSpec = z.infer<typeof BenchSchema>;
