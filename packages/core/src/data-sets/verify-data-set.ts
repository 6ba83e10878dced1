import { existsSync } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { FewshotError } from '../errors.js';
import { readLakeRuns } from '../eval/lake-runs.js';
import type { LabeledSet, SampleRef } from '../labeled-set.js';
import type { Modality } from '../modality.js';
import { SilentProgress, type ProgressSink } from '../progress.js';
import type { DataSetEntry, Expectation, SampleCounts } from './data-set-entry.js';
import { underDataDir } from './data-dir.js';
import { findUndecodable } from './decode-sample.js';
import { listFilesDeep } from './list-files.js';
import { isJunkEntry } from './unpack-zip.js';

/** How {@link verifyDataSet} checks. */
export interface VerifyOptions {
  /** The modality of each id (`registry.modality` of the plugin container). */
  readonly modality: (id: string) => Modality;
  /** Decode only the first `sample` files of each class (default: every file). */
  readonly sample?: number;
  readonly progress?: ProgressSink;
}

/** What `fewshot data verify` found. Problems are sentences; `ok` when there are none. */
export interface VerifyReport {
  readonly name: string;
  readonly path: string;
  readonly ok: boolean;
  /** Found counts, and the expected variant they were compared with. */
  readonly found: { readonly groups?: number; readonly classes: number; readonly files: number };
  readonly expected?: SampleCounts | { readonly label: string; readonly runs: number; readonly trialsPerRun: number };
  /** Count mismatches and other problems, one sentence each. */
  readonly problems: readonly string[];
  /** Files expected and not found (paths relative to the data set). */
  readonly missing: readonly string[];
  /** Files the loaders do not read (paths relative to the data set). */
  readonly extra: readonly string[];
  /** Files that could not be decoded, with the reason. */
  readonly damaged: readonly { readonly path: string; readonly reason: string }[];
  readonly decoded: number;
}

/**
 * Check an unpacked data set in `dataDir` against the registry: groups, classes and files per class (the
 * counts of its release or of a documented subset), files missing, extra or that its modality cannot
 * decode (every file, or the first `sample` of each class).
 */
export async function verifyDataSet(
  entry: DataSetEntry,
  dataDir: string,
  options: VerifyOptions,
): Promise<VerifyReport> {
  const root = underDataDir(dataDir, entry.path);
  const base = { name: entry.name, path: root };
  if (!existsSync(root)) {
    const how = `fewshot data fetch ${entry.name}${entry.derived ? `: ${entry.derived.describe}` : ''}`;
    return {
      ...base,
      ok: false,
      found: { classes: 0, files: 0 },
      problems: [`not found: ${root} (${how})`],
      missing: [],
      extra: [],
      damaged: [],
      decoded: 0,
    };
  }
  const e = entry.expect;
  const progress = options.progress ?? new SilentProgress();
  if (e.kind === 'archives') return verifyArchives(base, e);
  const modality = options.modality(e.modality);
  if (e.kind === 'runs') {
    let runs;
    try {
      runs = await readLakeRuns(root);
    } catch (err) {
      if (!(err instanceof FewshotError)) throw err;
      return {
        ...base,
        ok: false,
        found: { classes: 0, files: 0 },
        problems: [err.message],
        missing: [],
        extra: [],
        damaged: [],
        decoded: 0,
      };
    }
    const problems: string[] = [];
    if (runs.runNames.length !== e.runs)
      problems.push(`${formatCount(runs.runNames.length, 'run')}, expected ${e.runs}`);
    runs.episodes.forEach((ep, i) => {
      const run = runs.runNames[i]!;
      if (ep.supportSet.length !== e.trialsPerRun)
        problems.push(`${run}: ${ep.supportSet.length} support images, expected ${e.trialsPerRun}`);
      if (ep.querySet.length !== e.trialsPerRun)
        problems.push(`${run}: ${ep.querySet.length} queries in class_labels.txt, expected ${e.trialsPerRun}`);
    });
    const refs = pickForDecoding(runs.set, options.sample);
    const damaged = await decodeAll(modality, refs, `verify ${entry.name}`, progress, root);
    const extra = (await listFilesDeep(root))
      .filter((f) => !runs.set.samples.some((s) => s.path === f) && path.basename(f) !== 'class_labels.txt')
      .map((f) => rel(root, f));
    problems.push(...extra.map((f) => `extra file: ${f}`));
    return {
      ...base,
      ok: problems.length === 0 && damaged.length === 0,
      found: { classes: runs.runNames.length, files: runs.set.size },
      expected: { label: 'official runs', runs: e.runs, trialsPerRun: e.trialsPerRun },
      problems,
      missing: [],
      extra,
      damaged,
      decoded: refs.length,
    };
  }
  let set: LabeledSet;
  try {
    set = await modality.load({
      name: `data set ${entry.name}`,
      path: root,
      layout: e.layout,
      options: e.options ?? {},
    });
  } catch (err) {
    if (!(err instanceof FewshotError)) throw err;
    return {
      ...base,
      ok: false,
      found: { classes: 0, files: 0 },
      problems: [err.message, ...err.hints],
      missing: [],
      extra: [],
      damaged: [],
      decoded: 0,
    };
  }
  const problems: string[] = [];
  const groups = new Set(set.classes.map((c) => c.split('/')[0]!)).size;
  const variant = closestVariant(e.counts, set.size);
  if (variant.groups !== undefined && groups !== variant.groups)
    problems.push(`${formatCount(groups, 'group')}, expected ${variant.groups}`);
  if (set.classes.length !== variant.classes)
    problems.push(`${formatCount(set.classes.length, 'class')}, expected ${variant.classes}`);
  const missing: string[] = [];
  const allKeys = e.sampleKey
    ? new Set(set.samples.map((s) => e.sampleKey!(path.basename(s.path), s.label)))
    : undefined;
  for (const label of set.classes) {
    const files = set.of(label);
    if (files.length === variant.perClass) continue;
    problems.push(`${label}: ${files.length} files, expected ${variant.perClass}`);
    if (allKeys && e.sampleKey && e.sampleName && files.length < variant.perClass) {
      const own = new Set(files.map((s) => e.sampleKey!(path.basename(s.path), label)));
      for (const key of allKeys)
        if (!own.has(key)) missing.push(e.sampleName(key, label, path.basename(files[0]!.path)));
    }
  }
  const read = new Set(set.samples.map((s) => s.path));
  const extra = (await listFilesDeep(root))
    .filter((f) => !read.has(f) && !isJunkEntry(rel(root, f)) && !(e.ignore ?? []).some((r) => r.test(rel(root, f))))
    .map((f) => rel(root, f));
  const refs = pickForDecoding(set, options.sample);
  const damaged = await decodeAll(modality, refs, `verify ${entry.name}`, progress, root);
  return {
    ...base,
    ok: problems.length === 0 && missing.length === 0 && extra.length === 0 && damaged.length === 0,
    found: { ...(variant.groups !== undefined ? { groups } : {}), classes: set.classes.length, files: set.size },
    expected: variant,
    problems,
    missing,
    extra,
    damaged,
    decoded: refs.length,
  };
}

async function verifyArchives(
  base: { name: string; path: string },
  e: Extract<Expectation, { kind: 'archives' }>,
): Promise<VerifyReport> {
  const problems: string[] = [];
  const missing: string[] = [];
  const damaged: { path: string; reason: string }[] = [];
  let files = 0;
  for (const f of e.files) {
    const p = path.join(base.path, f.path);
    if (!existsSync(p)) {
      missing.push(f.path);
      continue;
    }
    try {
      const zip = await yauzl.openPromise(p, { lazyEntries: true, strictFileNames: false });
      let n = 0;
      try {
        for await (const entry of zip.eachEntry())
          if (!isJunkEntry(entry.fileName) && entry.fileName.endsWith(f.extension)) n++;
      } finally {
        zip.close();
      }
      files += n;
      if (n !== f.entries) problems.push(`${f.path}: ${n} ${f.extension} files, expected ${f.entries}`);
    } catch (err) {
      damaged.push({ path: f.path, reason: `not a readable zip archive: ${(err as Error).message}` });
    }
  }
  return {
    ...base,
    ok: problems.length + missing.length + damaged.length === 0,
    found: { classes: e.files.length - missing.length, files },
    problems,
    missing,
    extra: [],
    damaged,
    decoded: 0,
  };
}

/** The variant whose total is closest to `total` (the first on a tie). */
function closestVariant(counts: readonly SampleCounts[], total: number): SampleCounts {
  let best = counts[0]!;
  for (const c of counts)
    if (Math.abs(c.classes * c.perClass - total) < Math.abs(best.classes * best.perClass - total)) best = c;
  return best;
}

function pickForDecoding(set: LabeledSet, sample: number | undefined): SampleRef[] {
  if (sample === undefined) return set.samples.slice();
  return set.classes.flatMap((c) => set.of(c).slice(0, sample));
}

async function decodeAll(
  modality: Modality,
  refs: readonly SampleRef[],
  label: string,
  progress: ProgressSink,
  root: string,
): Promise<{ path: string; reason: string }[]> {
  const task = progress.start(label, refs.length, 'files');
  const failed = await findUndecodable(modality, refs, () => task.tick());
  task.done();
  return failed.map((f) => ({ path: rel(root, f.path), reason: f.reason }));
}

function rel(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}

/** `1 group`, `20 classes`. */
export function formatCount(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun : /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`}`;
}
