import { copyFile, mkdir, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DataError } from '../errors.js';
import { SilentByteProgress, formatBytes, type ByteProgress } from './byte-progress.js';
import type { ArchiveSource, DataSetEntry } from './data-set-entry.js';
import { underDataDir } from './data-dir.js';
import type { DataSetMaker, DataSetMakeResult } from './data-set-maker.js';
import { DATA_SETS, findDataSet } from './data-set-registry.js';
import { makeDataSet } from './make-data-set.js';
import { downloadFile, type DownloadOptions } from './download-file.js';
import { fileChecksum, type ChecksumAlgorithm } from './file-checksum.js';
import { findFolderHolding, unpackZip } from './unpack-zip.js';

/** Folder under the data folder that holds `.part` files of unfinished downloads. */
export const DOWNLOADS_FOLDER = '.fewshot-downloads';

/** How {@link fetchDataSet} fetches. */
export interface FetchOptions extends Omit<DownloadOptions, 'expectZip' | 'label' | 'progress'> {
  /**
   * A copy of the archives: an http(s) URL or a local folder holding them under their file names
   * (`<mirror>/images_background.zip`), used instead of the publishers' addresses.
   */
  readonly mirror?: string;
  readonly progress?: ByteProgress;
  /** For a data set that is made (`derived`): the makers to choose from (default: the installed built-in plugins'). */
  readonly makers?: readonly DataSetMaker[];
  /** For a data set that is made: make only the first N samples, a subset left in its working folder. */
  readonly limit?: number;
  /** The registry its sources are looked up in (default {@link DATA_SETS}). */
  readonly sets?: readonly DataSetEntry[];
}

/** What happened to one archive (or, for a data set that is made, to the data set). */
export interface FetchedArchive {
  /** The archive's file name; for a data set that is made, its name. */
  readonly fileName: string;
  readonly target: string;
  /** `made`: made now and moved into place; `partial`: made with `limit`, left in `<target>.making`. */
  readonly status: 'fetched' | 'present' | 'made' | 'partial';
  readonly bytes?: number;
  /** The checksum compared with the published one, or (none published) the SHA-256 computed. */
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string; readonly published: boolean };
  /** What the maker did (a data set that is made). */
  readonly made?: DataSetMakeResult;
}

/**
 * Fetch a data set into `dataDir`: each archive not yet in place is downloaded (resumably, into
 * `<dataDir>/.fewshot-downloads/<file>.part`), its checksum compared with the published one, and unpacked
 * into a temporary folder beside its target that is then renamed into place, so a failure leaves no
 * half-unpacked folder. A wrong checksum removes the download and names both sums. A data set that is
 * made (`derived`) has its sources fetched this way, then is made by its plugin's maker ({@link makeDataSet}).
 */
export async function fetchDataSet(
  entry: DataSetEntry,
  dataDir: string,
  options: FetchOptions = {},
): Promise<FetchedArchive[]> {
  const progress = options.progress ?? new SilentByteProgress();
  if (entry.archives.length === 0) return [await fetchMade(entry, dataDir, { ...options, progress })];
  const results: FetchedArchive[] = [];
  for (const archive of entry.archives) {
    const target = underDataDir(dataDir, archive.target);
    if (existsSync(target)) {
      progress.log(`${archive.target} is already there (fewshot data verify ${entry.name} checks it)`);
      results.push({ fileName: archive.fileName, target, status: 'present' });
      continue;
    }
    results.push(await fetchArchive(archive, dataDir, target, { ...options, progress }));
  }
  return results;
}

async function fetchMade(
  entry: DataSetEntry,
  dataDir: string,
  options: FetchOptions & { progress: ByteProgress },
): Promise<FetchedArchive> {
  const { derived } = entry;
  if (!derived)
    throw new DataError(`${entry.name} has no archives to download and no maker (its registry entry is incomplete)`);
  const target = underDataDir(dataDir, entry.path);
  if (existsSync(target)) {
    options.progress.log(`${entry.path} is already there (fewshot data verify ${entry.name} checks it)`);
    return { fileName: entry.name, target, status: 'present' };
  }
  const sets = options.sets ?? DATA_SETS;
  const { limit, ...sourceOptions } = options;
  const made = await makeDataSet({ ...entry, derived }, dataDir, {
    ...(options.makers ? { makers: options.makers } : {}),
    ...(limit !== undefined ? { limit } : {}),
    progress: options.progress,
    fetchSource: async (name) => void (await fetchDataSet(findDataSet(name, sets), dataDir, sourceOptions)),
    sourcePath: (name) => underDataDir(dataDir, findDataSet(name, sets).path),
  });
  return {
    fileName: entry.name,
    target: made.status === 'made' ? made.target : made.working,
    status: made.status,
    made: made.result,
  };
}

async function fetchArchive(
  archive: ArchiveSource,
  dataDir: string,
  target: string,
  options: FetchOptions & { progress: ByteProgress },
): Promise<FetchedArchive> {
  const downloads = path.join(dataDir, DOWNLOADS_FOLDER);
  await mkdir(downloads, { recursive: true });
  const part = path.join(downloads, `${archive.fileName}.part`);
  const source = options.mirror ? mirrorSource(options.mirror, archive.fileName) : archive.url;
  try {
    if (/^https?:\/\//i.test(source)) {
      options.progress.log(`downloading ${source}`);
      await downloadFile(source, part, { ...options, expectZip: true, label: archive.fileName });
    } else {
      options.progress.log(`copying ${source}`);
      await copyFile(source, part).catch((cause: Error) => {
        throw new DataError(`cannot read ${source} from the mirror folder: ${cause.message}`, { cause });
      });
    }
    const bytes = (await stat(part)).size;
    if (archive.bytes !== undefined && bytes !== archive.bytes) {
      throw new DataError(`${archive.fileName} has ${bytes} bytes, expected ${archive.bytes} (from ${source})`);
    }
    const checksum = await checkSum(archive, part, source);
    if (!checksum.published)
      options.progress.log(`${archive.fileName}: no checksum is published; its sha256 is ${checksum.value}`);
    await mkdir(path.dirname(target), { recursive: true });
    if (archive.unpack.kind === 'keep') {
      await rename(part, target);
    } else {
      await unpackInto(part, target, archive.unpack.marker, archive.fileName);
      await rm(part, { force: true });
    }
    options.progress.log(`${archive.fileName} (${formatBytes(bytes)}) -> ${target}`);
    return { fileName: archive.fileName, target, status: 'fetched', bytes, checksum };
  } catch (err) {
    // a checksum or format failure: the download is no use, so nothing of it stays in the data folder
    if (err instanceof DataError && !/download failed after/.test(err.message)) await rm(part, { force: true });
    throw err;
  } finally {
    await rmdir(downloads).catch(() => undefined);
  }
}

async function checkSum(
  archive: ArchiveSource,
  file: string,
  source: string,
): Promise<NonNullable<FetchedArchive['checksum']>> {
  const published =
    archive.sha256 !== undefined
      ? (['sha256', archive.sha256] as const)
      : archive.md5 !== undefined
        ? (['md5', archive.md5] as const)
        : undefined;
  if (!published) return { algorithm: 'sha256', value: await fileChecksum(file, 'sha256'), published: false };
  const [algorithm, expected] = published;
  const value = await fileChecksum(file, algorithm);
  if (value !== expected.toLowerCase()) {
    throw new DataError(
      `checksum mismatch for ${archive.fileName}: expected ${algorithm} ${expected}, received ${algorithm} ${value}`,
      {
        hints: [
          `downloaded from ${source}${archive.checksumSource ? `; the expected sum is published in ${archive.checksumSource}` : ''}`,
          'the download was removed; run the command again, or use another mirror',
        ],
      },
    );
  }
  return { algorithm, value, published: true };
}

/** Unpack into `<target>.unpacking-<pid>` beside the target, then rename the folder holding `marker` into place. */
async function unpackInto(zip: string, target: string, marker: string, fileName: string): Promise<void> {
  const temp = `${target}.unpacking-${process.pid}`;
  // also what an interrupted fetch (any process) left beside the target
  const stale = (await readdir(path.dirname(target))).filter((n) =>
    n.startsWith(`${path.basename(target)}.unpacking-`),
  );
  for (const n of stale) await rm(path.join(path.dirname(target), n), { recursive: true, force: true });
  await mkdir(temp, { recursive: true });
  try {
    await unpackZip(zip, temp);
    const root = await findFolderHolding(temp, marker);
    if (!root)
      throw new DataError(
        `${fileName} does not hold the expected '${marker}' folder; it is not the archive this data set comes in`,
      );
    await rename(root, target);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

function mirrorSource(mirror: string, fileName: string): string {
  if (/^https?:\/\//i.test(mirror)) return `${mirror.replace(/\/+$/, '')}/${encodeURIComponent(fileName)}`;
  const folder = mirror.startsWith('file://') ? new URL(mirror).pathname : mirror;
  return path.resolve(folder, fileName);
}
