import path from 'node:path';
import type { LoadedConfig } from './config/load-config.js';
import { resolveDataPath } from './config/load-config.js';
import type { SplitConfig } from './config/experiment-schema.js';
import { createContainer, type FewshotContainer } from './container.js';
import { selectBackend, type BackendChoice, type BackendInfo } from './backend/select-backend.js';
import type { DatasetSpec, Modality, Preprocess } from './modality.js';
import { ConfigError } from './errors.js';
import type { DecodedSet } from './data/sample-store.js';
import { decodeCached } from './data/sample-cache.js';
import type { ProgressSink } from './progress.js';
import { checkDisjoint } from './samplers/check-disjoint.js';
import { PairModel } from './model/pair-model.js';
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
  readonly backend: BackendInfo;
}

/** Load the plugins and the backend of an experiment, and validate its modality settings. */
export async function openExperiment(loaded: LoadedConfig, options: { backend?: BackendChoice } = {}): Promise<Experiment> {
  const plugins = await createContainer(loaded.config.plugins, loaded.dir);
  const modality = plugins.registry.modality(loaded.config.modality);
  configuredObjective(plugins.registry, loaded.config.train.objective, loaded.file);
  const preprocess = validatePreprocess(modality, loaded.config.data.preprocess, loaded.file);
  const backend = await selectBackend(options.backend ?? loaded.config.backend);
  return { loaded, plugins, modality, preprocess, backend };
}

/** Validate modality settings with the modality's own schema; errors name the file and the key. */
export function validatePreprocess(modality: Modality, raw: unknown, file: string): Preprocess {
  const r = modality.preprocessSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const key = ['data', 'preprocess', ...i.path.map(String)].join('.');
    const extra = i.code === 'unrecognized_keys' ? ` (${(i as { keys?: string[] }).keys?.join(', ')})` : '';
    return `${file}: ${key}: ${i.message}${extra}`;
  });
  throw new ConfigError(`${lines.length} problem${lines.length === 1 ? '' : 's'} in data.preprocess for the '${modality.id}' modality`, { hints: lines });
}

/** The DatasetSpec of one split, or undefined when the config has none. */
export function splitSpec(exp: Experiment, which: SplitName): DatasetSpec | undefined {
  const split: SplitConfig | undefined = exp.loaded.config.data[which];
  if (!split) return undefined;
  const layout = split.layout ?? exp.loaded.config.data.layout ?? exp.modality.layouts[0];
  if (!layout || !exp.modality.layouts.includes(layout)) {
    throw new ConfigError(`${exp.loaded.file}: data.${which}.layout: '${layout}' is not a layout of the '${exp.modality.id}' modality`, {
      hints: [`known layouts: ${exp.modality.layouts.join(', ')}`],
    });
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
export async function decodeSplit(exp: Experiment, which: string, set: LabeledSet, progress?: ProgressSink): Promise<DecodedSet> {
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
export async function loadSplits(exp: Experiment, which: readonly SplitName[], progress?: ProgressSink): Promise<Partial<Record<SplitName, DecodedSet>>> {
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

/** A fresh, untrained model as the config describes it (weights initialised from `seed`, by default the config's). */
export async function buildModel(exp: Experiment, seed = exp.loaded.config.seed): Promise<PairModel> {
  const c = exp.loaded.config;
  const inputShape = exp.modality.inputShape(exp.preprocess);
  const meta = {
    modality: exp.modality.id,
    preprocess: exp.preprocess,
    inputShape,
    margin: c.model.margin,
    plugins: c.plugins.map((p) => (p.startsWith('.') ? path.resolve(exp.loaded.dir, p) : p)),
    backend: exp.backend.name,
  };
  if (c.model.type === 'naive') {
    return PairModel.create(PairModel.flattenEncoder(inputShape), 'naive', { ...meta, kind: 'naive', encoder: 'flatten' }, seed, c.model.naive);
  }
  const encoderId = c.model.encoder ?? exp.modality.defaultEncoder;
  const encoder = await exp.plugins.registry.encoder(encoderId).build(inputShape, c.model.encoderOptions, seed, {
    registry: exp.plugins.registry,
    baseDir: exp.loaded.dir,
  });
  return PairModel.create(encoder, c.model.head, { ...meta, kind: 'siamese', encoder: encoderId }, seed);
}

/**
 * The parameter-free pixel nearest-neighbour baseline (Euclidean distance on decoded inputs): the
 * registered `pixel` baseline's scorer, reported as kind `pixel-nn`.
 */
export function pixelBaseline(exp: Experiment): EpisodeScorer {
  return { ...baselineScorer(exp.plugins.registry.baseline('pixel'), exp.modality.inputShape(exp.preprocess)), kind: 'pixel-nn' };
}
