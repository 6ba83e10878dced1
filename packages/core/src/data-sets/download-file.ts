import { open, rm, stat } from 'node:fs/promises';
import type { Dispatcher, fetch as undiciFetch } from 'undici';
import { DataError } from '../errors.js';
import { SilentByteProgress, formatBytes, type ByteProgress } from './byte-progress.js';

/** How {@link downloadFile} behaves. */
export interface DownloadOptions {
  /** Tries in all for network errors, stalls, cut connections and 5xx/408/429 answers (default 4). */
  readonly attempts?: number;
  /** Wait before the second try, doubled for each further one (default 1,000 ms). */
  readonly backoffMs?: number;
  /** Give up on a try when no byte arrives for this long (default 30,000 ms). */
  readonly stallTimeoutMs?: number;
  /** The file must be a zip archive: an HTML page (error or quota page) or anything else is rejected. */
  readonly expectZip?: boolean;
  readonly progress?: ByteProgress;
  /** Label of the progress bar (default: the URL). */
  readonly label?: string;
  /** undici dispatcher; default an EnvHttpProxyAgent, which honours HTTP_PROXY, HTTPS_PROXY and NO_PROXY. */
  readonly dispatcher?: Dispatcher;
}

/** What one {@link downloadFile} did. */
export interface DownloadResult {
  readonly bytes: number;
  /** Bytes that were already in `dest` and were kept (a resumed download). */
  readonly resumedFrom: number;
  /** Tries made (1 when nothing went wrong). */
  readonly tries: number;
}

let defaultDispatcher: Dispatcher | undefined;

/** A failure worth another try (network, stall, cut connection, 5xx). */
class RetryableError extends Error {}

/**
 * Download `url` into `dest` (a `.part` file), resuming: when `dest` already holds bytes it asks for the
 * rest with an HTTP Range request; a server that ignores Range (200 instead of 206) restarts the file from
 * its first byte. Retries with exponential backoff; a 404 or other 4xx, an HTML page where a zip is
 * expected, and running out of tries are DataErrors naming the URL. `dest` is left as it is on failure, so
 * the next call resumes; the caller removes it when it gives up for good.
 */
export async function downloadFile(url: string, dest: string, options: DownloadOptions = {}): Promise<DownloadResult> {
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 1000;
  const stallMs = options.stallTimeoutMs ?? 30_000;
  const progress = options.progress ?? new SilentByteProgress();
  // undici is loaded when a download happens: it costs 0.15 s at start-up, and most commands never download
  const undici = await import('undici');
  const dispatcher = options.dispatcher ?? (defaultDispatcher ??= new undici.EnvHttpProxyAgent());
  let lastError = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) {
      const wait = backoffMs * 2 ** (attempt - 2);
      progress.log(`${lastError}; retrying in ${(wait / 1000).toFixed(1)} s (try ${attempt} of ${attempts})`);
      await new Promise((r) => setTimeout(r, wait));
    }
    try {
      const result = await tryOnce(url, dest, {
        fetch: undici.fetch,
        dispatcher,
        stallMs,
        expectZip: options.expectZip ?? false,
        progress,
        label: options.label ?? url,
      });
      return { ...result, tries: attempt };
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      lastError = err.message;
    }
  }
  throw new DataError(`download failed after ${attempts} ${attempts === 1 ? 'try' : 'tries'}: ${lastError}`, {
    hints: [
      `the part downloaded so far is kept in ${dest}; run the same command again to resume`,
      'behind a proxy, set HTTPS_PROXY; with a local copy of the archives, use --mirror URL or FEWSHOT_DATA_MIRROR',
    ],
  });
}

async function tryOnce(
  url: string,
  dest: string,
  o: {
    fetch: typeof undiciFetch;
    dispatcher: Dispatcher;
    stallMs: number;
    expectZip: boolean;
    progress: ByteProgress;
    label: string;
  },
): Promise<{ bytes: number; resumedFrom: number }> {
  const have = await stat(dest).then(
    (s) => s.size,
    () => 0,
  );
  const controller = new AbortController();
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, o.stallMs);
  };
  const stallError = (): RetryableError =>
    new RetryableError(`download stalled: no data from ${url} for ${(o.stallMs / 1000).toFixed(1)} s`);
  arm();
  try {
    let res;
    try {
      res = await o.fetch(url, {
        headers: have > 0 ? { range: `bytes=${have}-` } : {},
        signal: controller.signal,
        dispatcher: o.dispatcher,
      });
    } catch (err) {
      if (stalled) throw stallError();
      throw new RetryableError(`cannot reach ${url}: ${causeMessage(err)}`);
    }
    arm();
    if (res.status === 416 && have > 0) {
      // the part is as long as the file or longer (a stale one): start again from the first byte
      await res.body?.cancel();
      await rm(dest, { force: true });
      clearTimeout(timer);
      o.progress.log(`${url}: the server cannot resume at ${formatBytes(have)} (HTTP 416); starting again`);
      return tryOnce(url, dest, o);
    }
    if (res.status === 404 || res.status === 410) {
      await res.body?.cancel();
      throw new DataError(`not found: ${url} (HTTP ${res.status})`, {
        hints: [
          "the publisher may have moved it: see the data set's homepage (fewshot data list --json), or use --mirror URL",
        ],
      });
    }
    if (!res.ok) {
      await res.body?.cancel();
      const message = `HTTP ${res.status} ${res.statusText} from ${url}`;
      if (res.status >= 500 || res.status === 408 || res.status === 429) throw new RetryableError(message);
      throw new DataError(message);
    }
    const type = res.headers.get('content-type') ?? '';
    if (o.expectZip && /text\/html/i.test(type)) {
      await res.body?.cancel();
      throw htmlError(url, `content-type ${type}`);
    }
    const append = res.status === 206 && have > 0 && contentRangeStart(res.headers.get('content-range')) === have;
    const length = Number(res.headers.get('content-length') ?? NaN);
    const startAt = append ? have : 0;
    const total = Number.isFinite(length) ? startAt + length : undefined;
    if (have > 0 && !append)
      o.progress.log(`${url}: the server does not resume downloads (HTTP ${res.status}); starting again`);
    else if (append) o.progress.log(`resuming ${o.label} at ${formatBytes(have)}`);
    const file = await open(dest, append ? 'a' : 'w');
    const bar = o.progress.start(o.label, total, startAt);
    let bytes = startAt;
    let head = Buffer.alloc(0);
    // The body is read as fast as it comes and written in order behind it: a body left waiting for the
    // disk pauses undici's HTTP/1 parser, and a server that then closes the connection (an HTTP/1.0
    // server such as python -m http.server) crashes the process (nodejs/undici#5360).
    let written: Promise<unknown> = Promise.resolve();
    try {
      if (!res.body) throw new RetryableError(`empty answer from ${url}`);
      for await (const chunk of res.body) {
        arm();
        const buf = Buffer.from(chunk as Uint8Array);
        if (!append && head.length < 64) {
          head = Buffer.concat([head, buf]);
          if (head.length >= 64) checkHead(head, url, o.expectZip);
        }
        written = written.then(() => file.write(buf));
        bytes += buf.length;
        bar.update(bytes);
      }
      await written;
    } catch (err) {
      if (err instanceof DataError || err instanceof RetryableError) throw err;
      if (stalled) throw stallError();
      throw new RetryableError(`connection to ${url} lost after ${formatBytes(bytes)}: ${causeMessage(err)}`);
    } finally {
      await written.catch(() => undefined);
      await file.close();
    }
    if (!append && head.length < 64) checkHead(head, url, o.expectZip);
    if (total !== undefined && bytes < total)
      throw new RetryableError(`connection to ${url} closed after ${formatBytes(bytes)} of ${formatBytes(total)}`);
    bar.done();
    return { bytes, resumedFrom: startAt };
  } finally {
    clearTimeout(timer);
  }
}

/** The first bytes of a file that should be a zip: an HTML page or anything but a zip is a DataError. */
function checkHead(head: Buffer, url: string, expectZip: boolean): void {
  if (!expectZip) return;
  const text = head.toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html'))
    throw htmlError(url, 'the file starts with an HTML tag');
  if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) {
    throw new DataError(
      `${url} is not a zip archive (it starts with ${JSON.stringify(head.subarray(0, 16).toString('latin1'))})`,
      {
        hints: ['check the address, or use --mirror URL with a copy of the archive'],
      },
    );
  }
}

function htmlError(url: string, why: string): DataError {
  return new DataError(`${url} sent an HTML page instead of the archive (${why})`, {
    hints: [
      'this is usually an error, login or download-quota page: open the address in a browser to see it',
      'try again later, or fetch the archive elsewhere and use --mirror URL or FEWSHOT_DATA_MIRROR',
    ],
  });
}

function contentRangeStart(header: string | null): number | undefined {
  const m = /^bytes (\d+)-/.exec(header ?? '');
  return m ? Number(m[1]) : undefined;
}

function causeMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string; code?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause ? `${e.message ?? String(err)} (${cause})` : (e.message ?? String(err));
}
