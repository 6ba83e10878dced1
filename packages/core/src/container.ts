import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import { DefaultModalityRegistry, ModalityRegistry } from './registry.js';
import { loadPlugins, type LoadedPlugin } from './plugin-loader.js';
import { PluginError } from './errors.js';
import { Baseline } from './baseline.js';
import { PixelBaseline } from './pixel-baseline.js';
import { Objective } from './train/objective.js';
import { PairsObjective, PrototypesObjective, TripletObjective } from './train/objectives.js';

/** The plugin container of one run: loaded plugins and the registry of what they provide. */
export interface FewshotContainer {
  readonly container: Container;
  readonly registry: ModalityRegistry;
  readonly plugins: readonly LoadedPlugin[];
}

/** Core bindings: the registry, the `pixel` baseline and the `pairs`, `triplet`, `prototypes` objectives. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(DefaultModalityRegistry).toSelf().inSingletonScope();
  bind(ModalityRegistry).toService(DefaultModalityRegistry);
  bind(PixelBaseline).toSelf().inSingletonScope();
  bind(Baseline).toService(PixelBaseline);
  bind(PairsObjective).toSelf().inSingletonScope();
  bind(Objective).toService(PairsObjective);
  bind(TripletObjective).toSelf().inSingletonScope();
  bind(Objective).toService(TripletObjective);
  bind(PrototypesObjective).toSelf().inSingletonScope();
  bind(Objective).toService(PrototypesObjective);
});

/**
 * Create a container with the core bindings, the installed built-in plugins and `plugins`
 * (package names or paths relative to `baseDir`).
 */
export async function createContainer(
  plugins: readonly string[] = [],
  baseDir = process.cwd(),
): Promise<FewshotContainer> {
  const loaded = await loadPlugins(plugins, baseDir);
  const container = new Container();
  container.load(coreModule);
  for (const p of loaded) {
    try {
      container.load(p.module as unknown as ContainerModule);
    } catch (cause) {
      throw new PluginError(`plugin '${p.spec}' could not be bound: ${(cause as Error).message}`, { cause });
    }
  }
  let registry: ModalityRegistry;
  try {
    registry = container.get<ModalityRegistry>(ModalityRegistry);
  } catch (cause) {
    if (cause instanceof PluginError) throw cause;
    throw new PluginError(`plugins could not be resolved: ${(cause as Error).message}`, { cause });
  }
  return { container, registry, plugins: loaded };
}
