import { createRequire } from 'node:module';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError } from './errors.js';

/** Plugins shipped with fewshot; loaded when installed, silently skipped when not. */
export const BUILTIN_PLUGINS = [
  '@fewshot/modality-image',
  '@fewshot/modality-audio',
  '@fewshot/modality-video',
  '@fewshot/modality-timeseries',
] as const;

/** A loaded plugin: where it came from and its default export (an inversify ContainerModule). */
export interface LoadedPlugin {
  /** As written in the config (package name or path). */
  readonly spec: string;
  /** Resolved file the module was loaded from. */
  readonly resolved: string;
  readonly module: ContainerModuleLike;
  readonly builtin: boolean;
}

/** What we need of inversify's ContainerModule; checked structurally so two copies of inversify still agree. */
export interface ContainerModuleLike {
  readonly id: number;
  readonly load: (...args: never[]) => unknown;
}

function isPathSpec(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec) || /\.(m?js|cjs)$/.test(spec);
}

/**
 * Load one plugin by package name (resolved from `baseDir`, then from fewshot itself; a built-in plugin
 * from fewshot itself first) or by file path
 * (relative to `baseDir`). Its default export must be an inversify `ContainerModule`.
 */
export async function loadPlugin(spec: string, baseDir: string, builtin = false): Promise<LoadedPlugin> {
  let resolved: string;
  if (isPathSpec(spec)) {
    resolved = path.resolve(baseDir, spec);
    if (!existsSync(resolved)) {
      throw new PluginError(`plugin file not found: ${resolved}`, {
        hints: [`from plugins entry '${spec}' (paths are relative to ${baseDir})`],
      });
    }
    if (statSync(resolved).isDirectory()) resolved = resolvePackageFolder(spec, resolved);
  } else {
    resolved = resolvePackage(spec, baseDir);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new PluginError(`plugin '${spec}' failed to load: ${(cause as Error).message}`, {
      cause,
      hints: [`resolved to ${resolved}`],
    });
  }
  const candidate = mod['default'] ?? mod['containerModule'];
  if (!isContainerModule(candidate)) {
    throw new PluginError(`plugin '${spec}' has no inversify ContainerModule as its default export`, {
      hints: [
        `resolved to ${resolved}`,
        'write: export default new ContainerModule(({ bind }) => { bind(Modality).toService(MyModality); ... })',
      ],
    });
  }
  return { spec, resolved, module: candidate, builtin };
}

function resolvePackage(spec: string, baseDir: string): string {
  // the built-in plugins are taken from beside this core first, so that a model or config kept in
  // another project (with its own node_modules) never brings in a second copy of them and of tfjs
  const fromBase = path.join(baseDir, 'noop.js');
  const bases = (BUILTIN_PLUGINS as readonly string[]).includes(spec)
    ? [import.meta.url, fromBase]
    : [fromBase, import.meta.url];
  for (const base of bases) {
    try {
      return createRequire(base).resolve(spec);
    } catch {
      // try the next base
    }
  }
  throw new PluginError(`plugin package '${spec}' is not installed`, {
    hints: [
      `looked from ${baseDir} and from fewshot's own folder`,
      `install it (npm install ${spec}) or give a path to the plugin file`,
    ],
  });
}

/** A plugin given as a package folder: its main module (package.json `main`, else index.js). */
function resolvePackageFolder(spec: string, folder: string): string {
  try {
    return createRequire(path.join(folder, 'noop.js')).resolve(folder);
  } catch (cause) {
    throw new PluginError(`plugin folder '${spec}' has no module to load: ${(cause as Error).message.split('\n')[0]}`, {
      cause,
      hints: [
        `looked for the main file of ${path.join(folder, 'package.json')}`,
        'build the plugin first (npm run build), or give the path of its module file',
      ],
    });
  }
}

function isContainerModule(x: unknown): x is ContainerModuleLike {
  return typeof x === 'object' && x !== null && typeof (x as { load?: unknown }).load === 'function' && 'id' in x;
}

/** Load the built-in plugins that are installed, then the configured ones (duplicates by resolved file are loaded once). */
export async function loadPlugins(specs: readonly string[], baseDir: string): Promise<LoadedPlugin[]> {
  const out: LoadedPlugin[] = [];
  const seen = new Set<string>();
  for (const spec of BUILTIN_PLUGINS) {
    let resolved: string;
    try {
      resolved = resolvePackage(spec, baseDir);
    } catch {
      continue;
    }
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    out.push(await loadPlugin(spec, baseDir, true));
  }
  for (const spec of specs) {
    const p = await loadPlugin(spec, baseDir);
    if (seen.has(p.resolved)) continue;
    seen.add(p.resolved);
    out.push(p);
  }
  return out;
}
