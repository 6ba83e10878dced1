import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ExperimentConfig } from '../config/experiment-schema.js';
import type { ProgressSink } from '../progress.js';

/** One model `trainExperiment` trains: its folder (relative to the output folder) and its config. */
export interface MemberRun {
  readonly dir: string;
  readonly config: ExperimentConfig;
}

/**
 * What `trainExperiment` trains: the model itself into the output folder, or with `model.ensemble: N`,
 * N members into `member-1` ... `member-N`, member k with seed `seed + k` and an equal share of
 * `train.timeLimitMinutes`; each member's config is the one it is trained with (a single model),
 * saved in its folder.
 */
export function memberRuns(c: ExperimentConfig): MemberRun[] {
  const n = c.model.ensemble;
  if (n === 1) return [{ dir: '.', config: c }];
  const limit = c.train.timeLimitMinutes;
  return Array.from({ length: n }, (_, k) => ({
    dir: `member-${k + 1}`,
    config: {
      ...c,
      seed: c.seed + k,
      model: { ...c.model, ensemble: 1 },
      train: { ...c.train, ...(limit ? { timeLimitMinutes: limit / n } : {}) },
    },
  }));
}

/**
 * Before training an ensemble into `dir`: remove the model files an earlier run left there (a single
 * model's or an ensemble's), so that the folder is never taken for the old model while members train.
 * Other files are kept. Returns the names removed.
 */
export async function clearModelFolder(dir: string, progress?: ProgressSink): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return []; // no folder yet
  }
  const old = names.filter(
    (n) =>
      ['fewshot.json', 'encoder', 'head', 'history.json', 'eval.json', 'config.yaml'].includes(n) ||
      /^member-\d+$/.test(n),
  );
  if (old.length === 0) return [];
  progress?.log(`replacing the model in ${dir}: removing ${old.join(', ')}`);
  // the manifest first: a folder without it is not taken for a model
  for (const n of ['fewshot.json', ...old.filter((n) => n !== 'fewshot.json')])
    await fs.rm(path.join(dir, n), { recursive: true, force: true });
  return old;
}
