import type { BackendChoice } from '../backend/select-backend.js';
import { loadConfig, parseConfigObject, type LoadedConfig } from '../config/load-config.js';

/** An experiment as the library functions take it: a YAML file, or a config loaded already. */
export type ExperimentSource = string | LoadedConfig;

/**
 * The experiment to run: the YAML file loaded with `overrides` (`--set` strings such as
 * `train.epochs=5`), or a loaded config with the overrides applied on top and validated again.
 * `backend` becomes the override `backend=...`, so the config saved with the results records it,
 * as `fewshot --backend` does.
 */
export async function resolveExperiment(
  experiment: ExperimentSource,
  overrides: readonly string[] = [],
  backend?: BackendChoice,
): Promise<LoadedConfig> {
  const all = [...overrides, ...(backend ? [`backend=${backend}`] : [])];
  if (typeof experiment === 'string') return loadConfig(experiment, all);
  if (all.length === 0) return experiment;
  const again = parseConfigObject(experiment.config, all);
  return {
    ...experiment,
    config: again.config,
    dataRoot: again.config.data.root === experiment.config.data.root ? experiment.dataRoot : again.dataRoot,
    overrides: [...experiment.overrides, ...all],
  };
}
