import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { LabeledSet, type SampleRef } from '../labeled-set.js';
import type { Episode } from '../samplers/episode-sampler.js';
import { DataError } from '../errors.js';
import { fetchHintFor } from '../data-sets/fetch-hint.js';

/** Explicit one-shot runs in Lake et al.'s format, as episodes over one labelled set of their files. */
export interface ExplicitRuns {
  /** Every file of every run; label = `runNN/<support file name>`. */
  readonly set: LabeledSet;
  /** One episode per run, classes in the order of the support files. */
  readonly episodes: readonly Episode[];
  readonly runNames: readonly string[];
}

/**
 * Read a folder of runs: `runNN/training/*` (the support set, one file per class), `runNN/test/*`
 * (queries) and `runNN/class_labels.txt` (one line per query: `<query path> <support path>`, paths
 * relative to the runs folder or to the run folder).
 */
export async function readLakeRuns(dir: string): Promise<ExplicitRuns> {
  if (!existsSync(dir)) {
    const fetch = fetchHintFor(dir);
    throw new DataError(`runs folder not found: ${dir}`, { hints: fetch ? [fetch] : [] });
  }
  const runNames = (await fs.readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, 'class_labels.txt')))
    .map((d) => d.name)
    .sort();
  if (runNames.length === 0) {
    throw new DataError(`no runs in ${dir}`, {
      hints: ['expected runNN/ folders each with training/, test/ and class_labels.txt'],
    });
  }
  const samples: SampleRef[] = [];
  const raw: { supports: string[]; queries: { file: string; support: string }[] }[] = [];
  for (const run of runNames) {
    const runDir = path.join(dir, run);
    const labelsFile = path.join(runDir, 'class_labels.txt');
    const lines = (await fs.readFile(labelsFile, 'utf8'))
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    const resolve = (p: string, lineNo: number): string => {
      for (const base of [dir, runDir]) {
        const abs = path.resolve(base, p);
        if (existsSync(abs)) return abs;
      }
      throw new DataError(`${labelsFile}:${lineNo}: file not found: ${p}`);
    };
    const queries: { file: string; support: string }[] = [];
    const supports = new Set<string>();
    lines.forEach((line, i) => {
      const parts = line.split(/\s+/);
      if (parts.length !== 2)
        throw new DataError(`${labelsFile}:${i + 1}: expected '<query file> <support file>', got '${line}'`);
      const q = resolve(parts[0]!, i + 1);
      const s = resolve(parts[1]!, i + 1);
      queries.push({ file: q, support: s });
      supports.add(s);
    });
    const trainingDir = path.join(runDir, 'training');
    if (existsSync(trainingDir)) {
      for (const f of (await fs.readdir(trainingDir)).sort()) supports.add(path.join(trainingDir, f));
    }
    const supportList = [...supports].sort();
    for (const s of supportList)
      samples.push({
        id: path.relative(dir, s),
        path: s,
        label: `${run}/${path.basename(s)}`,
        attrs: { run, role: 'support' },
      });
    for (const q of queries)
      samples.push({
        id: path.relative(dir, q.file),
        path: q.file,
        label: `${run}/${path.basename(q.support)}`,
        attrs: { run, role: 'query' },
      });
    raw.push({ supports: supportList, queries });
  }
  const set = new LabeledSet(samples, dir);
  const indexOf = new Map<string, number>();
  set.samples.forEach((s, i) => indexOf.set(s.path, i));
  const episodes: Episode[] = raw.map((r) => {
    const classOf = new Map(r.supports.map((s, c) => [s, c]));
    return {
      classes: r.supports.map((s) => set.samples[indexOf.get(s)!]!.label),
      supportSet: r.supports.map((s) => [indexOf.get(s)!]),
      querySet: r.queries.map((q) => ({ sample: indexOf.get(q.file)!, label: classOf.get(q.support)! })),
    };
  });
  return { set, episodes, runNames };
}
