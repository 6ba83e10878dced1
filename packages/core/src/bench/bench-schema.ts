import { z } from 'zod';
import { EpisodesSchema } from '../config/experiment-schema.js';

/**
 * The bench YAML schema (`fewshot bench BENCH.yaml`): tasks (data to evaluate on), methods (what to
 * evaluate) and cells (which method on which task, with the domain each learned from and is tested
 * on). Objects are strict: an unknown key is an error, with a suggestion for a misspelt one.
 * Every key's description is in `.describe(...)`: `fewshot schema bench` (the JSON Schema editors
 * read, schema/bench.schema.json) is generated from them.
 */

/** Names of tasks and methods: they become parts of file names and cell ids. */
const Name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, - and _ (starting with a letter or digit)');

const IntList = (min: number, max: number) =>
  z.union([z.int().min(min).max(max), z.array(z.int().min(min).max(max)).min(1)]);

/** A data set split to evaluate on: random N-way K-shot episodes of a folder, or explicit runs in Lake's format. */
export const BenchTaskSchema = z
  .strictObject({
    modality: z
      .string()
      .min(1)
      .describe("Modality id of the data (`image`, `audio`, `video` or a plugin's); `preprocess` follows its schema."),
    root: z
      .string()
      .default('.')
      .describe(
        "Base folder of `path` and `runs`, relative to $FEWSHOT_DATA (default ./data) or absolute, as an experiment's `data.root`.",
      ),
    path: z
      .string()
      .min(1)
      .optional()
      .describe(
        "The split's folder (relative to `root`) to draw random episodes from, as an experiment's `data.test.path`. Give `path` or `runs`.",
      ),
    runs: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Folder of explicit runs in Lake's format (relative to `root`), evaluated instead of random episodes. Give `path` or `runs`.",
      ),
    layout: z
      .string()
      .min(1)
      .optional()
      .describe("Layout id understood by the modality (default: the modality's first layout)."),
    include: z
      .array(z.string().min(1))
      .optional()
      .describe('Only these top-level groups (Omniglot: alphabets; folder layout: classes).'),
    exclude: z.array(z.string().min(1)).optional().describe('All but these top-level groups.'),
    options: z
      .record(z.string(), z.unknown())
      .prefault({})
      .describe("Layout-specific options (see the layout's loader)."),
    preprocess: z
      .record(z.string(), z.unknown())
      .prefault({})
      .describe(
        "Decoding for the baselines that do not name their own, in the modality's `data.preprocess` keys (models and experiments decode their own way).",
      ),
    ways: IntList(2, 1000).default(5).describe('N: classes per episode; a list runs each value (a grid with `shots`).'),
    shots: IntList(1, 1000)
      .default(1)
      .describe('K: support samples per class; a list runs each value (a grid with `ways`).'),
    queries: z.int().min(1).max(1000).default(1).describe('Query samples per class.'),
    episodes: z
      .int()
      .min(1)
      .max(1_000_000)
      .default(200)
      .describe('Episodes drawn per (ways, shots) pair; every method is scored on the same ones.'),
    within: EpisodesSchema.shape.within,
    across: EpisodesSchema.shape.across,
    seed: z
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional()
      .describe("Seed of this task's episodes (default: the bench's `seed`)."),
  })
  .describe(
    "A data set split to evaluate on: random N-way K-shot episodes of a folder (`path`), or explicit runs in Lake's format (`runs`).",
  );
export type BenchTaskSpec = z.infer<typeof BenchTaskSchema>;

/** Something to evaluate: an experiment to train, a trained model folder, or a parameter-free baseline. */
export const BenchMethodSchema = z
  .strictObject({
    experiment: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Experiment YAML to train (once per distinct resolved config), relative to the current folder (else to the bench file's folder); the naive network is one with `model.type: naive`.",
      ),
    set: z
      .union([z.array(z.string().min(1)), z.record(z.string(), z.unknown())])
      .optional()
      .describe('`--set` overrides of the experiment: a list of `key=value`, or a mapping of dotted keys to values.'),
    model: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A trained model folder (`models/omniglot`), relative to the current folder (else to the bench file's folder); it decodes with its own preprocessing.",
      ),
    baseline: z
      .string()
      .min(1)
      .optional()
      .describe('A baseline id: `pixel` (raw-input nearest neighbour) or one a plugin provides (`dtw`, ...).'),
    preprocess: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        "A baseline's decoding (default: the task's `preprocess`, or the experiment's when `experiment` is given).",
      ),
    tta: z
      .boolean()
      .default(true)
      .describe("Use the test-time augmentation of the model's or experiment's `eval.tta`."),
  })
  .describe(
    'Something to evaluate: give one of `experiment` (trained by the bench), `model` (a trained model folder) or `baseline`.',
  );
export type BenchMethodSpec = z.infer<typeof BenchMethodSchema>;

/** Which methods run on which tasks; `source` -> `target` says what they learned from and are tested on. */
export const BenchCellsSchema = z
  .strictObject({
    method: Name.optional().describe('The method (a key of `methods`) to run; give `method` or `methods`.'),
    methods: z
      .array(Name)
      .min(1)
      .optional()
      .describe('The methods (keys of `methods`) to run; give `method` or `methods`.'),
    task: Name.optional().describe('The task (a key of `tasks`) to run them on; give `task` or `tasks`.'),
    tasks: z
      .array(Name)
      .min(1)
      .optional()
      .describe('The tasks (keys of `tasks`) to run them on; give `task` or `tasks`.'),
    source: z
      .string()
      .min(1)
      .describe('The domain the methods learned from (for a baseline: anything; its cells are marked untrained).'),
    target: z
      .string()
      .min(1)
      .describe('The domain of the tasks: `source` = `target` is in-domain, anything else cross-domain.'),
  })
  .describe('Which methods run on which tasks: every method on every task, each pair one cell of the report.');
export type BenchCellsSpec = z.infer<typeof BenchCellsSchema>;

export const BenchSchema = z.strictObject({
  name: z.string().min(1).default('bench').describe('Name of the bench: the title of its reports.'),
  description: z
    .string()
    .optional()
    .describe('A note on what the bench compares, for its readers (the runner does not use it).'),
  seed: z
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1)
    .describe("Default seed of the tasks' episodes (a task's `seed` overrides it)."),
  backend: z
    .enum(['auto', 'tensorflow', 'wasm', 'cpu'])
    .default('auto')
    .describe(
      'Backend of the models and baselines evaluated (experiments train and evaluate with theirs unless `set` changes it).',
    ),
  plugins: z
    .array(z.string().min(1))
    .default([])
    .describe('Plugins to load besides the built-in ones: package names or paths relative to the bench file.'),
  tasks: z.record(Name, BenchTaskSchema).describe('The tasks by name (letters, digits, - and _): data to evaluate on.'),
  methods: z
    .record(Name, BenchMethodSchema)
    .describe('The methods by name (letters, digits, - and _): what to evaluate.'),
  cells: z
    .array(BenchCellsSchema)
    .min(1)
    .describe('Which methods run on which tasks, and the domains they learned from and are tested on.'),
});
export type BenchSpec = z.infer<typeof BenchSchema>;
