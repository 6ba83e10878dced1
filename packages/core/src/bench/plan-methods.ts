import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../config/describe-issues.js';
import type { ExperimentConfig, SplitConfig } from '../config/experiment-schema.js';
import { loadConfig, resolveDataPath, type LoadedConfig } from '../config/load-config.js';
import { createContainer, type FewshotContainer } from '../container.js';
import { FewshotError } from '../errors.js';
import { readModelMeta, type ModelMeta } from '../model/ensemble-model.js';
import type { BenchMethodSpec } from './bench-schema.js';
import { contentKey } from './content-key.js';
import { DataFingerprints } from './data-fingerprint.js';
import { FEWSHOT_VERSION } from './fewshot-version.js';
import type { LoadedBench } from './load-bench.js';

/** A method of the bench file, resolved: its experiment loaded (and the key of the model it trains), or its model folder read. */
export interface PlannedMethod {
  readonly id: string;
  readonly kind: 'experiment' | 'model' | 'baseline';
  readonly label: string;
  readonly spec: BenchMethodSpec;
  /** The modality of its inputs; undefined for a baseline without an experiment (it takes the task's). */
  readonly modality?: string;
  /** Experiment methods (and baselines with an experiment): the resolved experiment. */
  readonly experiment?: LoadedConfig;
  /** Experiment methods: key of the model trained for it (DIR/models/<key>). */
  readonly modelKey?: string;
  /** Model methods: the folder, its manifest, a hash of its files and its saved config (for eval.tta). */
  readonly model?: {
    readonly dir: string;
    readonly meta: ModelMeta;
    readonly filesHash: string;
    readonly config?: ExperimentConfig;
  };
}

/** A path as given (from the current folder), else from the bench file's folder when only that exists. */
export function benchPath(bench: LoadedBench, p: string): string {
  const here = path.resolve(p);
  if (existsSync(here)) return here;
  const there = path.resolve(bench.dir, p);
  return existsSync(there) ? there : here;
}

/** `set:` as `--set` strings (a mapping's values written as JSON, which YAML reads back). */
export function overridesOf(set: BenchMethodSpec['set']): string[] {
  if (set === undefined) return [];
  if (Array.isArray(set)) return [...set];
  return Object.entries(set).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
}

/** Plugin containers of a run, one per distinct plugin list and folder. */
export class Containers {
  private readonly known = new Map<string, Promise<FewshotContainer>>();
  get(plugins: readonly string[], dir: string): Promise<FewshotContainer> {
    const key = JSON.stringify([plugins, dir]);
    let c = this.known.get(key);
    if (!c) this.known.set(key, (c = createContainer(plugins, dir)));
    return c;
  }
}

/** Resolve one method; problems (missing files, unknown baselines, bad experiments) are added to `problems`. */
export async function planMethod(
  bench: LoadedBench,
  id: string,
  containers: Containers,
  fingerprints: DataFingerprints,
  problems: ConfigProblem[],
): Promise<PlannedMethod | undefined> {
  const spec = bench.spec.methods[id]!;
  const key = ['methods', id];
  const fail = (k: string, message: string): undefined =>
    void problems.push(bench.problem(k ? [...key, k] : key, message, k ? 'value' : 'key'));
  const given = (['experiment', 'model', 'baseline'] as const).filter((k) => spec[k] !== undefined);
  if (given.length === 0) return fail('', 'give one of experiment:, model: or baseline:');
  if (spec.model && given.length > 1) return fail('model', 'a model method takes no experiment: or baseline:');
  if (spec.set && !spec.experiment) return fail('set', 'set: overrides need an experiment:');
  if (spec.preprocess && !spec.baseline)
    return fail('preprocess', "preprocess: is a baseline's decoding (a model or an experiment decodes its own way)");

  let experiment: LoadedConfig | undefined;
  if (spec.experiment) {
    const file = benchPath(bench, spec.experiment);
    if (!existsSync(file)) return fail('experiment', `experiment file not found: ${file}`);
    try {
      experiment = await loadConfig(file, overridesOf(spec.set));
    } catch (e) {
      if (!(e instanceof FewshotError)) throw e;
      return fail(spec.set ? 'set' : 'experiment', [e.message, ...e.hints].join('; '));
    }
  }
  if (spec.baseline) {
    const plugins = experiment ? experiment.config.plugins : bench.spec.plugins;
    const c = await containers.get(plugins, experiment ? experiment.dir : bench.dir);
    try {
      c.registry.baseline(spec.baseline);
    } catch (e) {
      return fail('baseline', (e as Error).message);
    }
    return {
      id,
      kind: 'baseline',
      label: `baseline ${spec.baseline}`,
      spec,
      ...(experiment ? { experiment, modality: experiment.config.modality } : {}),
    };
  }
  if (experiment) {
    const c = experiment.config;
    let fp: Record<string, string | null>;
    try {
      const container = await containers.get(c.plugins, experiment.dir);
      const modality = container.registry.modality(c.modality);
      fp = {};
      for (const which of ['train', 'validation'] as const) {
        const split: SplitConfig | undefined = c.data[which];
        if (!split) {
          fp[which] = null;
          continue;
        }
        const layout = split.layout ?? c.data.layout ?? modality.layouts[0]!;
        const spec_ = {
          name: `data.${which}`,
          path: resolveDataPath(experiment, split.path),
          layout,
          ...(split.include ? { include: split.include } : {}),
          ...(split.exclude ? { exclude: split.exclude } : {}),
          options: split.options,
        };
        fp[which] = fingerprints.fingerprint(JSON.stringify([c.modality, spec_]), await modality.load(spec_));
      }
    } catch (e) {
      if (!(e instanceof FewshotError)) throw e;
      const fetch = e.hints.find((h) => h.startsWith('fetch it with:'));
      return fail('experiment', `${experiment.file}: ${e.message}${fetch ? ` (${fetch})` : ''}`);
    }
    const { name: _n, description: _d, eval: _e, ...training } = c;
    const modelKey = contentKey({ fewshot: FEWSHOT_VERSION, training, data: fp });
    return {
      id,
      kind: 'experiment',
      label: path.relative(process.cwd(), experiment.file) || experiment.file,
      spec,
      experiment,
      modality: c.modality,
      modelKey,
    };
  }
  const dir = benchPath(bench, spec.model!);
  let meta: ModelMeta;
  try {
    meta = await readModelMeta(dir);
  } catch (e) {
    if (!(e instanceof FewshotError)) throw e;
    return fail('model', e.message);
  }
  let config: ExperimentConfig | undefined;
  const saved = path.join(dir, 'config.yaml');
  if (existsSync(saved)) {
    try {
      config = (await loadConfig(saved)).config;
    } catch (e) {
      if (!(e instanceof FewshotError)) throw e;
      return fail('model', `${saved}: ${e.message}`);
    }
  }
  return {
    id,
    kind: 'model',
    label: path.relative(process.cwd(), dir) || dir,
    spec,
    modality: meta.modality,
    model: { dir, meta, filesHash: hashModelFiles(dir), ...(config ? { config } : {}) },
  };
}

/** sha256 over a model folder's files (relative path and bytes), leaving out notes and reports (*.md, eval.json). */
export function hashModelFiles(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (!name.endsWith('.md') && name !== 'eval.json') {
        h.update(`${path.relative(dir, p)}\n`);
        h.update(readFileSync(p));
      }
    }
  };
  walk(dir);
  return h.digest('hex');
}
