import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DataError } from '../errors.js';
import path from 'node:path';
import type { LabeledSet } from '../labeled-set.js';
import type { Modality } from '../modality.js';
import { SilentProgress, type ProgressSink } from '../progress.js';
import { findUndecodable } from './decode-sample.js';

/** The episode settings a user's data is checked for, and how to read it. */
export interface CheckOptions {
  readonly modality: Modality;
  /** Layout of the folder (default `folder`: one folder per class). */
  readonly layout?: string;
  readonly options?: Readonly<Record<string, unknown>>;
  readonly ways: number;
  readonly shots: number;
  readonly queries: number;
  readonly progress?: ProgressSink;
}

/** What `fewshot data check` found in a user's folder. */
export interface CheckReport {
  readonly path: string;
  readonly classes: readonly { readonly label: string; readonly samples: number; readonly readable: number }[];
  /** Classes with fewer readable samples than shots + queries. */
  readonly tooSmall: readonly string[];
  readonly unreadable: readonly { readonly path: string; readonly reason: string }[];
  /** Byte-identical files filed under more than one class (paths relative to the folder). */
  readonly duplicates: readonly (readonly string[])[];
  /** Whether an experiment with these settings can sample its episodes (and decode every file). */
  readonly runnable: boolean;
  /** Why not, and which setting to change. */
  readonly advice: readonly string[];
}

/**
 * Check a user's class-per-folder data for few-shot episodes of `ways` classes with `shots` + `queries`
 * samples each: samples per class, classes too small, files the modality cannot decode, identical files
 * under two classes (by their bytes' SHA-256). Not runnable when fewer than `ways` classes have enough
 * readable samples, or when a file cannot be decoded.
 */
export async function checkClassFolders(dir: string, o: CheckOptions): Promise<CheckReport> {
  const root = path.resolve(dir);
  if (!existsSync(root)) throw new DataError(`folder not found: ${root}`);
  const set: LabeledSet = await o.modality.load({
    name: 'data check',
    path: root,
    layout: o.layout ?? 'folder',
    options: o.options ?? {},
  });
  const progress = o.progress ?? new SilentProgress();
  const task = progress.start('decoding', set.size, 'files');
  const unreadable = (await findUndecodable(o.modality, set.samples, () => task.tick())).map((u) => ({
    path: rel(root, u.path),
    reason: u.reason,
  }));
  task.done();
  const bad = new Set(unreadable.map((u) => u.path));
  const need = o.shots + o.queries;
  const classes = set.classes.map((label) => {
    const files = set.of(label);
    return { label, samples: files.length, readable: files.filter((s) => !bad.has(rel(root, s.path))).length };
  });
  const tooSmall = classes.filter((c) => c.readable < need).map((c) => c.label);

  const byHash = new Map<string, { path: string; label: string }[]>();
  for (const s of set.samples) {
    const hash = createHash('sha256')
      .update(await readFile(s.path))
      .digest('hex');
    const list = byHash.get(hash) ?? [];
    list.push({ path: rel(root, s.path), label: s.label });
    byHash.set(hash, list);
  }
  const duplicates = [...byHash.values()]
    .filter((l) => new Set(l.map((f) => f.label)).size > 1)
    .map((l) => l.map((f) => f.path));

  const advice: string[] = [];
  const usable = classes.filter((c) => c.readable >= need).length;
  if (usable < o.ways) {
    const counts = classes.map((c) => c.readable).sort((a, b) => b - a);
    const nth = counts[o.ways - 1] ?? 0;
    const options = [
      ...(usable >= 2 ? [`lower --ways to ${usable}`] : []),
      ...(nth >= 2 ? [`lower shots + queries to ${nth} (e.g. --shots 1 --queries ${nth - 1})`] : []),
      `add samples: ${o.ways} classes need at least ${need} readable samples each`,
    ];
    advice.push(
      `only ${usable} of ${classes.length} classes have the ${need} readable samples an episode needs (shots ${o.shots} + queries ${o.queries}), fewer than ways ${o.ways}`,
      ...options.map((x, i) => (i === 0 ? x : `or ${x}`)),
    );
  }
  if (unreadable.length > 0)
    advice.push(
      `${unreadable.length} file${unreadable.length === 1 ? '' : 's'} cannot be decoded: remove or repair ${unreadable.length === 1 ? 'it' : 'them'}`,
    );
  return { path: root, classes, tooSmall, unreadable, duplicates, runnable: advice.length === 0, advice };
}

function rel(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
