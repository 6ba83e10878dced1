import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { DataError } from '../errors.js';
import type { ByteProgress } from './byte-progress.js';
import type { DataSetEntry, DerivedFrom } from './data-set-entry.js';
import { MAKING_SUFFIX, underDataDir } from './data-dir.js';
import { boundMakers, findMaker, type DataSetMaker, type DataSetMakeResult } from './data-set-maker.js';

/** How {@link makeDataSet} makes. */
export interface MakeOptions {
  /** The makers to choose from (default: those of the installed built-in plugins). */
  readonly makers?: readonly DataSetMaker[];
  /** Make only the first `limit` samples, in the working folder (the data set is then not complete, so not moved into place). */
  readonly limit?: number;
  readonly progress: Pick<ByteProgress, 'log'>;
  /** Fetch one source data set (by registry name) into the data folder; returns when it is in place. */
  readonly fetchSource: (name: string) => Promise<void>;
  /** The source's folder (or file) under the data folder, by registry name. */
  readonly sourcePath: (name: string) => string;
}

/** What {@link makeDataSet} did: `made` (now in place), `partial` (a `limit` run: left in `working`). */
export interface MadeDataSet {
  readonly status: 'made' | 'partial';
  readonly target: string;
  readonly working: string;
  readonly maker: string;
  readonly result: DataSetMakeResult;
}

/**
 * Make a derived data set into `dataDir`: check that its maker is loaded (and what it needs), fetch its
 * sources, then make it in `<folder>.making` beside its folder, which is renamed into place only when
 * every sample was made. An interrupted run leaves the working folder, and the next one keeps the
 * samples made there; a half-made folder is never where the loaders read.
 */
export async function makeDataSet(
  entry: DataSetEntry & { derived: DerivedFrom },
  dataDir: string,
  options: MakeOptions,
): Promise<MadeDataSet> {
  const { derived } = entry;
  const makers = options.makers ?? (await builtinMakers());
  const maker = findMaker(makers, derived.maker, entry.name, derived.plugin);
  await maker.check?.();
  const target = underDataDir(dataDir, entry.path);
  const working = `${target}${MAKING_SUFFIX}`;
  const sources: Record<string, string> = {};
  for (const name of derived.from) {
    await options.fetchSource(name);
    sources[name] = options.sourcePath(name);
  }
  const log = options.progress.log.bind(options.progress);
  log(
    `making ${entry.name} (${derived.describe}) in ${working}${existsSync(working) ? ', keeping what an earlier run made there' : ''}`,
  );
  await mkdir(working, { recursive: true });
  const result = await maker.make({
    name: entry.name,
    sources,
    out: working,
    log,
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
  });
  const done = `${result.made} made, ${result.kept} kept from an earlier run, ${result.failed.length} failed of ${result.samples}`;
  if (result.failed.length > 0 || result.made + result.kept !== result.samples) {
    throw new DataError(`${entry.name} could not be made completely (${done})`, {
      hints: [
        ...result.failed.slice(0, 5).map((f) => `${f.source}: ${f.reason}`),
        ...(result.failed.length > 5 ? [`... and ${result.failed.length - 5} more`] : []),
        `what was made stays in ${working}; the next fetch keeps it and makes the rest`,
      ],
    });
  }
  if (options.limit !== undefined) {
    log(`${entry.name}: ${done} (limited to ${options.limit}): a subset, left in ${working}, not moved into place`);
    return { status: 'partial', target, working, maker: maker.id, result };
  }
  try {
    await rename(working, target);
  } catch (cause) {
    // another process made it meanwhile: theirs is complete too
    if (!existsSync(target))
      throw new DataError(`cannot move ${working} to ${target}: ${(cause as Error).message}`, { cause });
  }
  log(`${entry.name}: ${done}${result.summary ? `; ${result.summary}` : ''} -> ${target}`);
  return { status: 'made', target, working, maker: maker.id, result };
}

/** The makers of the installed built-in plugins (loaded only when a data set is to be made). */
async function builtinMakers(): Promise<DataSetMaker[]> {
  const { createContainer } = await import('../container.js');
  return boundMakers((await createContainer([], path.resolve('.'))).container);
}
