import path from 'node:path';
import { Container, ContainerModule } from 'inversify';
import { coreModule, createContainer } from '../container.js';
import { PluginError } from '../errors.js';
import { loadPlugin, loadPlugins, type ContainerModuleLike } from '../plugin-loader.js';
import { ModalityRegistry } from '../registry.js';
import { parseOptions, shapeSize, type LabeledSet, type Modality, type SampleShape } from '../plugin.js';
import type { ConformanceOptions } from './conformance-options.js';
import { checkDecoded, checkSampleShape } from './check-sample.js';

/** The plugin under test, loaded. */
export interface LoadedSubject {
  /** Everything loaded: the installed built-in plugins and the plugin under test. */
  readonly registry: ModalityRegistry;
  /** What the plugin under test provides by itself. */
  readonly own: ModalityRegistry;
  readonly modality: Modality;
}

/** The parsed preprocessing settings and the shape they give. */
export interface PreparedSubject {
  readonly pre: Record<string, unknown>;
  readonly shape: SampleShape;
  readonly size: number;
}

/**
 * What the checks share about one plugin: loaded once, its fixture loaded once and decoded once
 * (each step on first use, memoised so that every check sees the same outcome).
 */
export class ConformanceSubject {
  /** How messages name the plugin. */
  readonly label: string;
  readonly baseDir: string;
  /** Absolute path of the fixture folder. */
  readonly fixture: string;
  readonly layout: string | undefined;
  private readonly steps = new Map<string, Promise<unknown>>();

  constructor(readonly options: ConformanceOptions) {
    this.label = typeof options.plugin === 'string' ? `plugin '${options.plugin}'` : 'the plugin module';
    this.baseDir = path.resolve(options.baseDir ?? process.cwd());
    this.fixture = path.resolve(this.baseDir, options.fixture);
    this.layout = options.layout;
  }

  /** Load the plugin into a fresh container (with the built-ins) and into one of its own. */
  loaded(): Promise<LoadedSubject> {
    return this.step('loaded', async () => {
      const { plugin } = this.options;
      let module: ContainerModuleLike;
      let registry: ModalityRegistry;
      if (typeof plugin === 'string') {
        module = (await loadPlugin(plugin, this.baseDir)).module;
        registry = (await createContainer([plugin], this.baseDir)).registry;
      } else {
        module = plugin;
        const builtins = (await loadPlugins([], this.baseDir)).map((p) => p.module).filter((m) => m !== plugin);
        registry = registryOf([...builtins, plugin]);
      }
      const own = registryOf([module]);
      const ids = own.modalities.map((m) => m.id);
      if (!ids.includes(this.options.modality)) {
        throw new Error(
          `${this.label} provides ${ids.length === 0 ? 'no modality' : `the modalities [${ids.join(', ')}]`}, expected the modality '${this.options.modality}'`,
        );
      }
      const modality = registry.modality(this.options.modality);
      return { registry, own, modality };
    });
  }

  /** `preprocess` parsed by the modality's schema, and the sample shape it gives (checked). */
  prepared(): Promise<PreparedSubject> {
    return this.step('prepared', async () => {
      const { modality } = await this.loaded();
      const pre = parseOptions(modality.preprocessSchema, this.options.preprocess ?? {}, 'preprocess') as Record<
        string,
        unknown
      >;
      const shape = modality.sampleShape(pre);
      checkSampleShape(shape, `sampleShape(pre) of the '${modality.id}' modality`);
      return { pre, shape, size: shapeSize(shape) };
    });
  }

  /** The fixture loaded with `layout` (default: the modality's first). */
  set(): Promise<LabeledSet> {
    return this.step('set', async () => {
      const { modality } = await this.loaded();
      const layout = this.layout ?? modality.layouts[0];
      if (layout === undefined) throw new Error(`the '${modality.id}' modality lists no layouts`);
      return modality.load({ name: 'fixture', path: this.fixture, layout, options: {} });
    });
  }

  /** Every sample of `set()` decoded, in its order; each checked to be `size` finite values. */
  decoded(): Promise<Float32Array[]> {
    return this.step('decoded', async () => {
      const { modality } = await this.loaded();
      const { pre, shape } = await this.prepared();
      const set = await this.set();
      const out: Float32Array[] = [];
      for (const ref of set.samples) {
        let values: unknown;
        try {
          values = await modality.decode(ref, pre);
        } catch (err) {
          throw new Error(`decoding ${ref.path} failed: ${messageOf(err)}`, { cause: err });
        }
        checkDecoded(values, ref.path, shape);
        out.push(values);
      }
      return out;
    });
  }

  private step<T>(name: string, run: () => Promise<T>): Promise<T> {
    let p = this.steps.get(name) as Promise<T> | undefined;
    if (!p) {
      p = run();
      p.catch(() => undefined); // a failed step is reported by the checks that need it
      this.steps.set(name, p);
    }
    return p;
  }
}

/**
 * Run a step another check is about: when it fails, the message says this check could not run and
 * why, so that one fault is reported once as itself and elsewhere as a consequence.
 */
export async function needs<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    throw new Error(`cannot check this: ${what} failed first: ${messageOf(err)}`, { cause: err });
  }
}

/** An error's message (with its type for typed errors), or the thrown value as text. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

function registryOf(modules: readonly ContainerModuleLike[]): ModalityRegistry {
  const container = new Container();
  container.load(coreModule);
  for (const m of modules) {
    try {
      container.load(m as unknown as ContainerModule);
    } catch (cause) {
      throw new PluginError(`the plugin could not be bound: ${messageOf(cause)}`, { cause });
    }
  }
  return container.get<ModalityRegistry>(ModalityRegistry);
}
