import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load-config.js';
import { experimentDataPaths } from '../data-sets/fetch-experiment-data.js';
import type { LoadedBench } from './load-bench.js';
import { benchPath, overridesOf } from './plan-methods.js';
import { taskRoot } from './plan-tasks.js';

/**
 * Every data folder a bench reads: each task's split (or runs) folder, and the train and validation
 * folders of the experiments it trains. For `fewshot bench --fetch`; what cannot be read here (a
 * missing experiment file, a broken config) is left to the plan, which names it.
 */
export async function benchDataPaths(bench: LoadedBench): Promise<string[]> {
  const paths: string[] = [];
  for (const spec of Object.values(bench.spec.tasks)) {
    const where = spec.runs ?? spec.path;
    if (where !== undefined) paths.push(path.resolve(taskRoot(spec), where));
  }
  for (const spec of Object.values(bench.spec.methods)) {
    if (!spec.experiment) continue;
    const file = benchPath(bench, spec.experiment);
    if (!existsSync(file)) continue;
    try {
      paths.push(...experimentDataPaths(await loadConfig(file, overridesOf(spec.set)), ['train', 'validation']));
    } catch {
      // the plan reports the broken experiment with its place in the bench file
    }
  }
  return [...new Set(paths)];
}
