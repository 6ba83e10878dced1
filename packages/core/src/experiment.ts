import { z } from 'zod';
import path from 'node:path';
import type { LoadedConfig } from './config/load-config.js';
import { resolveDataPath } from './config/load-config.js';
import type { SplitConfig } from './config/experiment-schema.js';
import { createContainer, type FewshotContainer } from './container.js';
import { selectBackend, type BackendChoice, type BackendInfo } from './backend/select-backend.js';
import { augmentSettings, type DatasetSpec, type Modality, type Preprocess, type SampleShape } from './modality.js';
import { describeIssues, formatProblem } from './config/describe-issues.js';
import { formatLocation } from './config/yaml-locations.js';
import { ConfigError } from './errors.js';
import type { DecodedSet } from './data/sample-store.js';
import { decodeCached } from './data/sample-cache.js';
import type { ProgressSink } from './progress.js';
import { checkDisjoint } from './samplers/check-disjoint.js';
import { PairModel } from './model/pair-model.js';
import { initEncoderFrom, memberInitFrom } from './model/init-from.js';
import type { LabeledSet } from './labeled-set.js';
import { configuredObjective } from './train/objective.js';
import { baselineScorer, type EpisodeScorer } from './baseline.js';

export type SplitName = 'train' | 'validation' | 'test';

/** Everything a command needs to run one experiment: config, plugins, modality, backend. */
export interface Experiment {
  readonly loaded: LoadedConfig;
  readonly plugins: FewshotContainer;
  readonly modality: Modality;
  /** `data.preprocess` validated by the modality (defaults applied). */
  readonly preprocess: Preprocess;
  /** `train.augment` validated by the modality's `augmentSchema` (defaults applied; `{}` without one). */
  readonly augment: Readonly<Record<string, unknown>>;
  /** `eval.tta.augment`, likewise. */
  readonly ttaAugment: Readonly<Record<string, unknown>>;
  /** Named shape of one decoded sample (`modality.sampleShape(preprocess)`). */
  readonly sampleShape: SampleShape;
  readonly backend: BackendInfo;
}

/**
 * Load the plugins and the backend of an experiment, and validate its modality settings
 * (`data.preprocess`, `train.augment`, `eval.tta.augment`) before any data is read.
 */
export async function openExperiment(
  loaded: LoadedConfig,
  options: { backend?: BackendChoice } = {},
): Promise<Experiment> {
  const plugins = await createContainer(loaded.config.plugins, loaded.dir);
  const modality = plugins.registry.modality(loaded.config.modality);
  configuredObjective(plugins.registry, loaded.config.train.objective, loaded.file);
  const preprocess = validatePreprocess(modality, loaded.config.data.preprocess, loaded.file);
  const augment = validateAugment(modality, loaded, ['train', 'augment']);
  const ttaAugment = validateAugment(modality, loaded, ['eval', 'tta', 'augment']);
  const shape = modality.sampleShape(preprocess);
  const backend = await selectBackend(options.backend ?? loaded.config.backend);
  return { loaded, plugins, modality, preprocess, augment, ttaAugment, sampleShape: shape, backend };
}

/** Validate modality settings with the modality's own schema; errors name the file and the key. */
export function validatePreprocess<P extends object>(modality: Modality<P, object>, raw: unknown, file: string): P {
  const r = modality.preprocessSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const key = ['data', 'preprocess', ...i.path.map(String)].join('.');
    const extra = i.code === 'unrecognized_keys' ? ` (${(i as { keys?: string[] }).keys?.join(', ')})` : '';
    return `${file}: ${key}: ${i.message}${extra}`;
  });
  throw new ConfigError(
    `${lines.length} problem${lines.length === 1 ? '' : 's'} in data.preprocess for the '${modality.id}' modality`,
    { hints: lines },
  );
}

/**
 * Validate `train.augment` or `eval.tta.augment` (`at`, a path in the config) with the modality's
 * `augmentSchema` (a modality without one takes only an empty mapping). Problems are a ConfigError whose
 * lines say `file:line:col: train.augment.<key>: message` (or the `--set` that gave the value). Returns
 * the parsed settings (and remembers them, so that `augmentSettings` of the same mapping returns them).
 */
export function validateAugment(
  modality: Modality,
  loaded: LoadedConfig,
  at: readonly string[],
): Readonly<Record<string, unknown>> {
  let raw: unknown = loaded.config;
  for (const key of at) raw = (raw as Record<string, unknown> | undefined)?.[key];
  const value = (raw ?? {}) as Readonly<Record<string, unknown>>;
  const where = at.join('.');
  const locate = (path: readonly PropertyKey[]): string =>
    loaded.locator ? formatLocation(loaded.locator.locate(path, 'key')) : loaded.file;
  let lines: string[];
  const schema = modality.augmentSchema;
  if (!schema) {
    const keys = Object.keys(value);
    if (keys.length === 0) return augmentSettings(modality, value, where);
    lines = keys.map(
      (k) => `${locate([...at, k])}: ${where}.${k}: the '${modality.id}' modality has no augmentation settings`,
    );
  } else {
    const r = schema.safeParse(value);
    if (r.success) return augmentSettings(modality, value, where);
    if (loaded.locator) {
      const issues = r.error.issues.map((i) => ({ ...i, path: [...at, ...i.path] }));
      const wrapped = at.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
      lines = describeIssues(issues, wrapped, schemaAt(at, schema), loaded.locator).map(formatProblem);
    } else {
      lines = r.error.issues.map((i) => `${loaded.file}: ${[...at, ...i.path.map(String)].join('.')}: ${i.message}`);
    }
  }
  throw new ConfigError(
    `${lines.length} problem${lines.length === 1 ? '' : 's'} in ${where} for the '${modality.id}' modality`,
    {
      hints: lines,
    },
  );
}

/** `schema` nested in objects at `path`, so that describeIssues finds the allowed keys of the augment mapping. */
function schemaAt(path: readonly string[], schema: z.ZodType): z.ZodType {
  return path.reduceRight<z.ZodType>((inner, key) => z.object({ [key]: inner }), schema);
}

/** The DatasetSpec of one split, or undefined when the config has none. */
export function splitSpec(exp: Experiment, which: SplitName): DatasetSpec | undefined {
  const split: SplitConfig | undefined = exp.loaded.config.data[which];
  if (!split) return undefined;
  const layout = split.layout ?? exp.loaded.config.data.layout ?? exp.modality.layouts[0];
  if (!layout || !exp.modality.layouts.includes(layout)) {
    throw new ConfigError(
      `${exp.loaded.file}: data.${which}.layout: '${layout}' is not a layout of the '${exp.modality.id}' modality`,
      {
        hints: [`known layouts: ${exp.modality.layouts.join(', ')}`],
      },
    );
  }
  return {
    name: `data.${which}`,
    path: resolveDataPath(exp.loaded, split.path),
    layout,
    ...(split.include ? { include: split.include } : {}),
    ...(split.exclude ? { exclude: split.exclude } : {}),
    options: split.options,
  };
}

/** Decode a listed split with the experiment's modality settings, reporting skipped samples. */
export async function decodeSplit(
  exp: Experiment,
  which: string,
  set: LabeledSet,
  progress?: ProgressSink,
): Promise<DecodedSet> {
  const d = exp.loaded.config.data;
  const decoded = await decodeCached(set, exp.modality, exp.preprocess, {
    cache: d.cache,
    storage: d.storage,
    onBadSample: d.onBadSample,
    label: `decoding ${which} (${set.classes.length} classes)`,
    ...(progress ? { progress } : {}),
  });
  if (decoded.skipped.length > 0 && progress) {
    progress.log(`skipped ${decoded.skipped.length} bad sample(s) in ${which}:`);
    for (const s of decoded.skipped) progress.log(`  ${s.path}: ${s.reason}`);
  }
  return decoded;
}

/**
 * List every configured split (checking that no class or file is in two of them), then decode the
 * requested ones.
 */
export async function loadSplits(
  exp: Experiment,
  which: readonly SplitName[],
  progress?: ProgressSink,
): Promise<Partial<Record<SplitName, DecodedSet>>> {
  const listed: { name: string; split: SplitName; set: LabeledSet }[] = [];
  for (const w of ['train', 'validation', 'test'] as const) {
    const spec = splitSpec(exp, w);
    if (spec) listed.push({ name: spec.name, split: w, set: await exp.modality.load(spec) });
  }
  checkDisjoint(listed, exp.loaded.config.data.sharedClasses);
  const out: Partial<Record<SplitName, DecodedSet>> = {};
  for (const l of listed) if (which.includes(l.split)) out[l.split] = await decodeSplit(exp, l.name, l.set, progress);
  return out;
}

/**
 * A fresh, untrained model as the config describes it (weights initialised from `seed`, by default the
 * config's), its encoder started from `model.initFrom` when set; `member` (0-based, default 0) is the
 * ensemble member it is for, which picks the member of an ensemble `initFrom` (see `memberInitFrom`).
 */
export async function buildModel(exp: Experiment, seed = exp.loaded.config.seed, member = 0): Promise<PairModel> {
  const c = exp.loaded.config;
  const shape = exp.sampleShape;
  const meta = {
    modality: exp.modality.id,
    preprocess: exp.preprocess,
    inputShape: shape.dims,
    sampleShape: shape,
    margin: c.model.margin,
    plugins: c.plugins.map((p) => (p.startsWith('.') ? path.resolve(exp.loaded.dir, p) : p)),
    backend: exp.backend.name,
  };
  if (c.model.type === 'naive') {
    if (c.model.initFrom !== undefined)
      throw new ConfigError(`${exp.loaded.file}: model.initFrom starts a siamese encoder; the naive model has none`, {
        hints: ['remove model.initFrom, or set model.type: siamese'],
      });
    return PairModel.create(
      PairModel.flattenEncoder(shape),
      'naive',
      { ...meta, kind: 'naive', encoder: 'flatten' },
      seed,
      c.model.naive,
    );
  }
  const encoderId = c.model.encoder ?? exp.modality.defaultEncoder;
  const encoder = await exp.plugins.registry.encoder(encoderId).build(shape, c.model.encoderOptions, seed, {
    registry: exp.plugins.registry,
    baseDir: exp.loaded.dir,
  });
  if (c.model.initFrom !== undefined) {
    try {
      const where = exp.loaded.file;
      const from = await memberInitFrom(
        path.resolve(exp.loaded.dir, c.model.initFrom),
        member,
        c.model.ensemble,
        where,
      );
      await initEncoderFrom(encoder, from, where);
    } catch (e) {
      encoder.dispose();
      throw e;
    }
  }
  return PairModel.create(encoder, c.model.head, { ...meta, kind: 'siamese', encoder: encoderId }, seed);
}

/**
 * The parameter-free pixel nearest-neighbour baseline (Euclidean distance on decoded inputs): the
 * registered `pixel` baseline's scorer, reported as kind `pixel-nn`.
 */
export function pixelBaseline(exp: Experiment): EpisodeScorer {
  return { ...baselineScorer(exp.plugins.registry.baseline('pixel'), exp.sampleShape), kind: 'pixel-nn' };
}
