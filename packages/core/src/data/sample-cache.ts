import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LabeledSet } from '../labeled-set.js';
import { shapeSize, type DimName, type Modality, type Preprocess, type SampleShape } from '../modality.js';
import { DataError } from '../errors.js';
import {
  SampleStore,
  effectiveStorage,
  type DecodeOptions,
  type DecodedSet,
  type SampleDtype,
  type SampleStorage,
  type SkippedSample,
} from './sample-store.js';

/** Version of the entry layout; part of every key, so a new layout never reads an old entry. */
export const SAMPLE_CACHE_FORMAT = 1;

export interface CachedDecodeOptions extends DecodeOptions {
  /** false: decode without reading or writing the cache (default true). */
  readonly cache?: boolean;
  /** Folder of the entries (default `sampleCacheDir()`). */
  readonly cacheDir?: string;
}

/** The manifest `<key>.json` of one entry; the rows are in `<key>.bin`. */
export interface SampleCacheManifest {
  readonly format: number;
  readonly key: string;
  /** What the key was made of (the file list is summarised). */
  readonly inputs: {
    readonly modality: string;
    readonly preprocess: unknown;
    readonly storage: SampleStorage;
    /** The modality's `cacheVersion` ('' when it has none). */
    readonly decoder: string;
    readonly source: string;
    readonly files: number;
    readonly firstFile: string | null;
    readonly lastFile: string | null;
  };
  /** Dims of one row, outermost first (entries written before shapes had names: the old [h, w, c]). */
  readonly shape: readonly number[];
  /** Names of the dims (absent in entries written before shapes had names). */
  readonly names?: readonly DimName[];
  readonly dtype: SampleDtype;
  /** Value of one stored step (1/255 for uint8, 1 for float32). */
  readonly scale: number;
  readonly count: number;
  /** Ids of the stored rows, in order. */
  readonly ids: readonly string[];
  readonly skipped: readonly SkippedSample[];
  readonly created: string;
  /** Size of `<key>.bin`. */
  readonly bytes: number;
  readonly decodeSeconds: number;
}

/** What the cache did for one call. */
export interface SampleCacheReport {
  readonly enabled: boolean;
  readonly hit: boolean;
  readonly key: string;
  /** The `.bin` file of the entry ('' when the cache is off). */
  readonly file: string;
  /** Seconds spent listing (stat) the source files for the key. */
  readonly statSeconds: number;
  /** Seconds of the whole call (load, or decode + save). */
  readonly seconds: number;
}

export interface CachedDecodedSet extends DecodedSet {
  readonly cache: SampleCacheReport;
}

/** `$FEWSHOT_CACHE`, or `<cwd>/.cache/fewshot`. */
export function sampleCacheDir(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  const dir = env['FEWSHOT_CACHE'];
  return dir ? path.resolve(cwd, dir) : path.join(cwd, '.cache', 'fewshot');
}

/** JSON with object keys sorted at every level (the form that is hashed). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, o[k]]),
      );
    }
    return v;
  });
}

/**
 * The cache key of decoding `set`: sha256 of the format version, the modality id, the canonical JSON of
 * the preprocessing settings, the storage mode (as `effectiveStorage` resolves `auto`), the modality's `cacheVersion` (the decoder's version), and every source path in order with its size
 * and mtimeMs (a missing file counts as such). One synchronous stat per file: about 4 us each from the
 * page cache, several times faster than promise-based stat.
 */
export function sampleCacheKey(
  set: LabeledSet,
  modality: Modality,
  pre: Preprocess,
  options: Pick<CachedDecodeOptions, 'storage'> = {},
): string {
  const h = createHash('sha256');
  const storage = effectiveStorage(modality, pre, options.storage);
  h.update(
    canonicalJson({
      format: SAMPLE_CACHE_FORMAT,
      modality: modality.id,
      preprocess: pre,
      storage,
      decoder: modality.cacheVersion ?? '',
    }),
  );
  h.update('\n');
  let chunk = '';
  for (const s of set.samples) {
    const st = statSync(s.path, { throwIfNoEntry: false });
    chunk += st ? `${s.path}\t${st.size}\t${st.mtimeMs}\n` : `${s.path}\tmissing\n`;
    if (chunk.length > 1 << 16) {
      h.update(chunk);
      chunk = '';
    }
  }
  h.update(chunk);
  return h.digest('hex');
}

/**
 * `SampleStore.decode` through an on-disk cache: a set decoded once at given settings is saved under
 * `cacheDir` as `<key>.bin` (the raw rows, uint8 or float32) and `<key>.json` (a SampleCacheManifest),
 * and loaded from there while the key (see `sampleCacheKey`) is unchanged. Entries are written to a
 * temporary name and renamed, manifest last, so a killed run never leaves an entry that loads; an entry
 * whose manifest or size does not check out is rebuilt (with a warning). A hit whose entry skipped bad
 * samples throws, as decoding would, unless `onBadSample` is 'skip'. Failing to save only warns.
 */
export async function decodeCached(
  set: LabeledSet,
  modality: Modality,
  pre: Preprocess,
  options: CachedDecodeOptions = {},
): Promise<CachedDecodedSet> {
  const t0 = performance.now();
  const log = (line: string): void => options.progress?.log(line);
  if (options.cache === false) {
    const decoded = await SampleStore.decode(set, modality, pre, options);
    return {
      ...decoded,
      cache: { enabled: false, hit: false, key: '', file: '', statSeconds: 0, seconds: secondsSince(t0) },
    };
  }
  const dir = options.cacheDir ?? sampleCacheDir();
  const key = sampleCacheKey(set, modality, pre, options);
  const statSeconds = secondsSince(t0);
  const bin = path.join(dir, `${key}.bin`);
  const json = path.join(dir, `${key}.json`);
  const shape = modality.sampleShape(pre);

  const found = await loadEntry(set, shape, key, bin, json).catch((err: unknown) => {
    log(
      `cache: warning: entry ${bin} is unusable (${err instanceof Error ? err.message : String(err)}); rebuilding it`,
    );
    return undefined;
  });
  if (found) {
    const { manifest, store } = found;
    if (manifest.skipped.length > 0 && options.onBadSample !== 'skip') {
      const first = manifest.skipped[0]!;
      throw new DataError(first.reason, {
        hints: [
          `${manifest.skipped.length} bad sample(s) in ${set.source} (remembered by the decoded-data cache ${json})`,
          'set data.onBadSample: skip to pass over them',
        ],
      });
    }
    const gone = new Set(manifest.skipped.map((s) => s.path));
    const kept =
      gone.size > 0
        ? new LabeledSet(
            set.samples.filter((s) => !gone.has(s.path)),
            set.source,
          )
        : set;
    const seconds = secondsSince(t0);
    log(
      `cache: loaded ${count(store.count)} samples (${store.dtype}, ${mb(store.byteLength)}) from ${bin} in ${seconds.toFixed(1)} s`,
    );
    return {
      set: kept,
      store,
      skipped: manifest.skipped,
      cache: { enabled: true, hit: true, key, file: bin, statSeconds, seconds },
    };
  }

  log(
    `cache: no entry for ${set.source} at these settings (key ${key.slice(0, 12)}); decoding ${count(set.size)} samples`,
  );
  const d0 = performance.now();
  const decoded = await SampleStore.decode(set, modality, pre, options);
  const decodeSeconds = secondsSince(d0);
  const manifest: SampleCacheManifest = {
    format: SAMPLE_CACHE_FORMAT,
    key,
    inputs: {
      modality: modality.id,
      preprocess: JSON.parse(canonicalJson(pre)) as unknown,
      storage: effectiveStorage(modality, pre, options.storage),
      decoder: modality.cacheVersion ?? '',
      source: set.source,
      files: set.size,
      firstFile: set.samples[0]?.path ?? null,
      lastFile: set.samples[set.size - 1]?.path ?? null,
    },
    shape: [...decoded.store.shape.dims],
    names: [...decoded.store.shape.names],
    dtype: decoded.store.dtype,
    scale: decoded.store.scale,
    count: decoded.store.count,
    ids: decoded.set.samples.map((s) => s.id),
    skipped: decoded.skipped,
    created: new Date().toISOString(),
    bytes: decoded.store.byteLength,
    decodeSeconds: Math.round(decodeSeconds * 1000) / 1000,
  };
  try {
    const w0 = performance.now();
    await saveEntry(dir, key, bin, json, decoded.store.data, manifest);
    log(
      `cache: decoded ${count(decoded.store.count)} samples in ${decodeSeconds.toFixed(1)} s, saved ${decoded.store.dtype} rows (${mb(manifest.bytes)}) to ${bin} in ${secondsSince(w0).toFixed(1)} s`,
    );
  } catch (err) {
    log(
      `cache: warning: could not save ${bin} (${err instanceof Error ? err.message : String(err)}); the next run decodes again`,
    );
  }
  return { ...decoded, cache: { enabled: true, hit: false, key, file: bin, statSeconds, seconds: secondsSince(t0) } };
}

/** The entry of `key`, or undefined when there is none; throws when it exists but does not check out. */
async function loadEntry(
  set: LabeledSet,
  shape: SampleShape,
  key: string,
  bin: string,
  json: string,
): Promise<{ manifest: SampleCacheManifest; store: SampleStore } | undefined> {
  let text: string;
  try {
    text = await readFile(json, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const m = JSON.parse(text) as SampleCacheManifest;
  const size = shapeSize(shape);
  const width = m.dtype === 'uint8' ? 1 : m.dtype === 'float32' ? 4 : 0;
  if (m.format !== SAMPLE_CACHE_FORMAT || m.key !== key)
    throw new Error(`manifest is for format ${m.format}, key ${String(m.key).slice(0, 12)}`);
  if (width === 0) throw new Error(`unknown dtype '${m.dtype}'`);
  if (!sameRows(m, shape)) throw new Error(`shape ${String(m.shape)} is not ${shape.dims.join('x')}`);
  // (`as unknown`: a check of what the file holds that leaves the declared types as they are)
  if (
    !Array.isArray(m.ids as unknown) ||
    !Array.isArray(m.skipped as unknown) ||
    m.ids.length !== m.count ||
    m.count + m.skipped.length !== set.size
  ) {
    throw new Error(`manifest lists ${m.count} rows and ${m.skipped?.length} skipped for ${set.size} samples`);
  }
  if (m.bytes !== m.count * size * width)
    throw new Error(`manifest says ${m.bytes} bytes for ${m.count} rows of ${size} ${m.dtype}`);
  const gone = new Set(m.skipped.map((s) => s.path));
  let k = 0;
  for (const s of set.samples) {
    if (gone.has(s.path)) continue;
    if (m.ids[k++] !== s.id) throw new Error(`row ${k - 1} is '${m.ids[k - 1]}', expected '${s.id}'`);
  }
  const buf = await readExactly(bin, m.bytes);
  const data = m.dtype === 'uint8' ? new Uint8Array(buf.buffer, buf.byteOffset, m.bytes) : float32View(buf);
  return { manifest: m, store: new SampleStore(shape, data) };
}

/**
 * Whether an entry's rows have `shape`: the same dims (and names, when it records them), or, for an entry
 * written before shapes had names, an [h, w, c] of the same size (the row-major values are the same:
 * a video's [T*S, S, C] rows are its [T, S, S, C] rows).
 */
function sameRows(m: SampleCacheManifest, shape: SampleShape): boolean {
  if (!Array.isArray(m.shape) || !m.shape.every((d) => Number.isInteger(d) && d > 0)) return false;
  if (m.names === undefined) return m.shape.length === 3 && m.shape.reduce((a, b) => a * b, 1) === shapeSize(shape);
  return (
    m.shape.join('x') === shape.dims.join('x') && Array.isArray(m.names) && m.names.join(',') === shape.names.join(',')
  );
}

/**
 * Read a file of exactly `bytes` bytes into a buffer of its own (not from Node's small-buffer pool, so
 * at offset 0 of its ArrayBuffer: 4-byte aligned for a Float32Array view, no copy).
 */
async function readExactly(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size !== bytes) throw new Error(`${path.basename(file)} has ${size} bytes, the manifest says ${bytes}`);
    const buf = Buffer.allocUnsafeSlow(bytes);
    let off = 0;
    while (off < bytes) {
      const { bytesRead } = await fh.read(buf, off, Math.min(bytes - off, 1 << 30), off);
      if (bytesRead === 0) throw new Error(`${path.basename(file)} ended after ${off} of ${bytes} bytes`);
      off += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

function float32View(buf: Buffer): Float32Array {
  if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out = new Float32Array(buf.byteLength / 4);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** Write rows then manifest, each to a temporary name renamed into place; clear stale temporaries of the key. */
async function saveEntry(
  dir: string,
  key: string,
  bin: string,
  json: string,
  data: Float32Array | Uint8Array,
  manifest: SampleCacheManifest,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  const tmpBin = `${bin}.${tag}`;
  const tmpJson = `${json}.${tag}`;
  try {
    await writeFile(tmpBin, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    await writeFile(tmpJson, JSON.stringify(manifest));
    await rename(tmpBin, bin);
    await rename(tmpJson, json);
  } finally {
    await rm(tmpBin, { force: true });
    await rm(tmpJson, { force: true });
  }
  await removeStaleTemporaries(dir, key);
}

/** Temporaries of `key` left by killed runs (older than an hour, so never one being written now). */
async function removeStaleTemporaries(dir: string, key: string): Promise<void> {
  const names = (await readdir(dir)).filter((f) => f.startsWith(`${key}.`) && f.endsWith('.tmp'));
  const hourAgo = Date.now() - 3_600_000;
  for (const f of names) {
    const p = path.join(dir, f);
    const st = await stat(p).catch(() => undefined);
    if (st && st.mtimeMs < hourAgo) await rm(p, { force: true });
  }
}

function secondsSince(t0: number): number {
  return (performance.now() - t0) / 1000;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
