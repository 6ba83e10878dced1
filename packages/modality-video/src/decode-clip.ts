import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import { DataError, PluginError } from '@fewshot/core/plugin';
import { mp4H264Track, type Mp4H264Track } from './mp4-h264-track.js';
import type { VideoPreprocess } from './video-preprocess.js';

/**
 * Raw frames of one clip as ffmpeg gave them, size x size x channels bytes each: all `count` frames of
 * the clip, or (`held`) only the frames the sampling picks.
 */
export interface RawFrames {
  readonly data: Buffer;
  /** Frames in the clip. */
  readonly count: number;
  /** Which frames of the clip `data` holds, ascending; absent: all `count` of them. */
  readonly held?: readonly number[];
}

/** Which frames a sample takes (see `pickFrames`); the video preprocessing's `frames` and `sampling`. */
export interface FramePick {
  readonly frames: number;
  readonly sampling: 'uniform' | 'last';
}

export interface ReadFramesOptions {
  readonly size: number;
  readonly channels: 1 | 3;
  /** Kill ffmpeg after this long (default DEFAULT_TIMEOUT_MS); the DataError names the file. */
  readonly timeoutMs?: number;
  /**
   * `readFramesMany`: only these frames are needed (ffmpeg then scales and pipes only them; the
   * frames held are the same bytes). Absent: every frame.
   */
  readonly pick?: FramePick;
  /**
   * `readFramesMany`: let ffmpeg open every file itself and pipe every frame (the way clips were read
   * before the MP4 stream path; same values, slower). Default: `FEWSHOT_VIDEO_DECODER=reference`.
   */
  readonly reference?: boolean;
}

/** Default time one ffmpeg run may take before it is killed: 60 s (`FEWSHOT_FFMPEG_TIMEOUT`, in seconds, changes it). */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** The timeout in effect: `FEWSHOT_FFMPEG_TIMEOUT` seconds when set to a positive number, else DEFAULT_TIMEOUT_MS. */
export function defaultTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env['FEWSHOT_FFMPEG_TIMEOUT']);
  return Number.isFinite(s) && s > 0 ? s * 1000 : DEFAULT_TIMEOUT_MS;
}

/** Keep at most this much of ffmpeg's stderr (its last lines say what went wrong). */
const STDERR_LIMIT = 8192;

/** Raw frames kept from one clip at most; beyond it the clip is refused (a damaged header can promise anything). */
export const MAX_CLIP_BYTES = 512 * 1024 * 1024;

/** ffmpeg's arguments for one input (before `-i`) and its output (after). */
function inputArgs(file: string, queue = false): string[] {
  // one decoding thread (clips are decoded in parallel instead); with several inputs ffmpeg reads each
  // on a thread of its own, and a deep packet queue spares it a context switch per packet
  return ['-threads', '1', ...(queue ? ['-thread_queue_size', '1024'] : []), '-i', file];
}
function outputArgs(input: number, o: ReadFramesOptions, target: string): string[] {
  return [
    '-map',
    `${input}:v:0`,
    '-vf',
    `scale=${o.size}:${o.size}:flags=area`,
    '-pix_fmt',
    o.channels === 1 ? 'gray' : 'rgb24',
    '-f',
    'rawvideo',
    target,
  ];
}

/** What one ffmpeg run gave: exit, stderr, and the bytes of each output. */
interface FfmpegRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** An output grew past MAX_CLIP_BYTES (ffmpeg was killed). */
  readonly tooLong: boolean;
  readonly stderr: string;
  readonly outputs: readonly Buffer[];
}

/**
 * Run ffmpeg with `args`, its outputs on stdout (one output) or on pipes 3, 4, ... (`outputs` > 1),
 * killed after `timeoutMs`. Rejects with PluginError when ffmpeg cannot be started.
 */
function runFfmpeg(
  ffmpeg: string,
  args: readonly string[],
  outputs: number,
  timeoutMs: number,
  what: string,
  input?: Buffer,
): Promise<FfmpegRun> {
  const stdin = input ? 'pipe' : 'ignore';
  const stdio: ('ignore' | 'pipe')[] =
    outputs === 1 ? [stdin, 'pipe', 'pipe'] : [stdin, 'ignore', 'pipe', ...new Array<'pipe'>(outputs).fill('pipe')];
  return new Promise<FfmpegRun>((resolve, reject) => {
    const child = spawn(ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', ...args], { stdio });
    if (input && child.stdin) {
      child.stdin.on('error', () => undefined); // ffmpeg stopped reading (killed, or failed): its exit says why
      child.stdin.end(input);
    }
    let timedOut = false;
    let tooLong = false;
    // our own timer (spawn's `timeout` keeps running when the binary cannot be started at all)
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    timer.unref();
    const chunks: Buffer[][] = Array.from({ length: outputs }, () => []);
    const bytes = new Array<number>(outputs).fill(0);
    let stderr = '';
    let failed = false;
    for (let k = 0; k < outputs; k++) {
      const stream = child.stdio[outputs === 1 ? 1 : 3 + k] as NodeJS.ReadableStream;
      stream.on('data', (c: Buffer) => {
        if (tooLong) return;
        chunks[k]!.push(c);
        bytes[k]! += c.length;
        if (bytes[k]! > MAX_CLIP_BYTES) {
          tooLong = true;
          child.kill('SIGKILL');
        }
      });
      stream.on('error', () => undefined); // a pipe broken by the kill: the exit says what happened
    }
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-STDERR_LIMIT);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      failed = true;
      reject(
        new PluginError(`cannot run ffmpeg (${ffmpeg}) to read ${what}: ${err.message}`, {
          cause: err,
          hints: ['check FFMPEG_PATH, or see `fewshot plugins` for the ffmpeg in use'],
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failed) return;
      resolve({ code, signal, timedOut, tooLong, stderr, outputs: chunks.map((c, k) => Buffer.concat(c, bytes[k])) });
    });
  });
}

/**
 * Every frame of the first video stream of `file`, scaled to size x size (area averaging) as grey or
 * RGB bytes, from one ffmpeg process writing raw video to a pipe (no temporary files). Throws DataError
 * naming the file when it is missing, empty, has no video stream, cannot be decoded, is damaged (ffmpeg
 * reports decoding errors, e.g. a truncated file, even when it exits 0), gives no frame, or takes
 * longer than the timeout (ffmpeg is killed), and PluginError when ffmpeg itself cannot be started.
 */
export async function readFrames(ffmpeg: string, file: string, o: ReadFramesOptions): Promise<RawFrames> {
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs();
  const run = await runFfmpeg(ffmpeg, [...inputArgs(file), ...outputArgs(0, o, '-')], 1, timeoutMs, file);
  return framesOf(run, 0, file, o, timeoutMs);
}

/** The frames of output `k` of a run, or the DataError that explains why there are none. */
async function framesOf(
  run: FfmpegRun,
  k: number,
  file: string,
  o: ReadFramesOptions,
  timeoutMs: number,
): Promise<RawFrames> {
  if (run.timedOut) {
    throw new DataError(
      `ffmpeg did not finish decoding ${file} within ${timeoutMs / 1000} s and was stopped (a damaged or very long video?)`,
      {
        hints: [...ffmpegHints(run.stderr), 'allow more time with FEWSHOT_FFMPEG_TIMEOUT=<seconds>'],
      },
    );
  }
  if (run.tooLong)
    throw new DataError(
      `video ${file} decodes to more than ${MAX_CLIP_BYTES / 2 ** 20} MB of frames at ${o.size}x${o.size}: too long, or a damaged header`,
    );
  if (run.code !== 0) throw await explainFailure(file, run.stderr, run.code, run.signal);
  // with `-v error` ffmpeg prints only errors: on a truncated or damaged file it may still exit 0
  // with the frames it could decode, which would silently stand in for the whole clip
  if (run.stderr.trim() !== '') {
    throw new DataError(
      `video file is damaged: ffmpeg reported errors while decoding ${file} (truncated or corrupt?)`,
      { hints: ffmpegHints(run.stderr) },
    );
  }
  const data = run.outputs[k]!;
  const count = Math.floor(data.length / (o.size * o.size * o.channels));
  if (count === 0) throw new DataError(`no video frames could be decoded from ${file}`); // ffmpeg printed nothing (checked above)
  return { data, count };
}

/**
 * `readFrames` of several files from one ffmpeg process: starting ffmpeg, and opening and probing
 * a file in it, cost more than decoding a short clip. Plain H.264 MP4s (see `mp4H264Track`) are
 * demuxed here and go to ffmpeg as one H.264 stream on stdin, decoded and scaled frame by frame
 * exactly as alone (so the frames are identical), with only the frames of `o.pick` scaled and piped;
 * other files are opened by ffmpeg, one input and one output pipe each. When a run fails in any way
 * (one bad file stops it), every file of it is read again on its own, so each result holds the bytes
 * `readFrames` gives, or the error that names its file. Never rejects; settles one entry per file.
 */
export async function readFramesMany(
  ffmpeg: string,
  files: readonly string[],
  o: ReadFramesOptions,
): Promise<PromiseSettledResult<RawFrames>[]> {
  if (o.reference ?? process.env['FEWSHOT_VIDEO_DECODER'] === 'reference') return readAsInputs(ffmpeg, files, o);
  const tracks = await Promise.all(files.map(readTrack));
  const results = new Array<PromiseSettledResult<RawFrames>>(files.length);
  const groups = new Map<string, number[]>(); // clips that can share one decoder, by stream key
  const rest: number[] = [];
  tracks.forEach((t, k) => {
    if (!t) rest.push(k);
    else groups.set(t.streamKey, [...(groups.get(t.streamKey) ?? []), k]);
  });
  /** Runs one after the other, each over its share of the clips `ks`. */
  const chain = async (runs: number[][], read: (ks: number[]) => Promise<PromiseSettledResult<RawFrames>[]>) => {
    for (const ks of runs) (await read(ks)).forEach((r, j) => (results[ks[j]!] = r));
  };
  // the chains at once, not one after the other: a run and its per-file re-reads stay within two timeouts
  await Promise.all([
    ...[...groups.values()].map((ks) =>
      chain(streamRuns(ks, tracks), (run) =>
        readAsStream(
          ffmpeg,
          run.map((k) => files[k]!),
          run.map((k) => tracks[k]!),
          o,
        ),
      ),
    ),
    chain(chunks(rest, INPUTS_PER_PROCESS), (run) =>
      readAsInputs(
        ffmpeg,
        run.map((k) => files[k]!),
        o,
      ),
    ),
  ]);
  return results;
}

/** Files one ffmpeg process opens as inputs at most (more only add threads and memory). */
const INPUTS_PER_PROCESS = 16;
/** Pixels (frames x width x height) one stream run decodes at most, so that a run of long or large clips stays well within the timeout. */
const MAX_STREAM_PIXELS = 2 ** 27;

function chunks(ks: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < ks.length; i += size) out.push(ks.slice(i, i + size));
  return out;
}

/** The clips `ks` in runs of at most MAX_STREAM_PIXELS (a clip larger than that runs alone). */
function streamRuns(ks: readonly number[], tracks: readonly (Mp4H264Track | undefined)[]): number[][] {
  const out: number[][] = [];
  let pixels = Infinity;
  for (const k of ks) {
    const t = tracks[k]!;
    const p = t.frames * t.width * t.height;
    if (pixels + p > MAX_STREAM_PIXELS) {
      out.push([]);
      pixels = 0;
    }
    out.at(-1)!.push(k);
    pixels += p;
  }
  return out;
}

/**
 * Largest file read into memory for the stream path; bigger ones are left to ffmpeg (a batch holds its
 * files' streams at once: 64 clips of 4 MB, the size of about a minute of 720p, are 256 MB).
 */
const MAX_STREAM_FILE_BYTES = 4 * 2 ** 20;

/** The H.264 track of `file` when it can go through the stream path, else undefined (ffmpeg reads the file). */
async function readTrack(file: string): Promise<Mp4H264Track | undefined> {
  try {
    const fh = await open(file, 'r');
    try {
      const { size } = await fh.stat();
      if (size > MAX_STREAM_FILE_BYTES) return undefined;
      const bytes = Buffer.alloc(size);
      const { bytesRead } = await fh.read(bytes, 0, size, 0);
      return mp4H264Track(bytes.subarray(0, bytesRead), file);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined; // missing, unreadable or damaged: ffmpeg's own reading gives the error that names it
  }
}

/**
 * Several MP4 clips' H.264 streams one after the other into one ffmpeg process on stdin (no file to
 * open and probe per clip); with `o.pick`, a `select` filter keeps only the picked frames, so only
 * they are scaled and piped. Each clip starts with an IDR frame and the clips share their parameter
 * sets (`streamKey`), so each decodes exactly as alone. Any failure (exit code, errors on stderr,
 * timeout, a frame count other than the headers promise) reads each file again on its own.
 * (Frame data damaged in a way ffmpeg does not report can make ffmpeg's constant-rate output of the
 * file repeat a frame, which this path does not: such a clip gives other, equally damaged frames.)
 */
async function readAsStream(
  ffmpeg: string,
  files: readonly string[],
  tracks: readonly Mp4H264Track[],
  o: ReadFramesOptions,
): Promise<PromiseSettledResult<RawFrames>[]> {
  const alone = (): Promise<PromiseSettledResult<RawFrames>[]> =>
    Promise.allSettled(files.map((f) => readFrames(ffmpeg, f, o)));
  const held = tracks.map((t) =>
    o.pick ? [...new Set(pickFrames(t.frames, o.pick.frames, o.pick.sampling))] : undefined,
  );
  const selected: number[] = [];
  let first = 0;
  tracks.forEach((t, k) => {
    for (const f of held[k] ?? []) selected.push(first + f);
    first += t.frames;
  });
  const filter = `${o.pick ? `select='${selectExpression(selected)}',` : ''}scale=${o.size}:${o.size}:flags=area`;
  const args = [
    '-filter_threads',
    '1',
    '-threads',
    '1',
    '-f',
    'h264',
    '-i',
    'pipe:0',
    '-map',
    '0:v:0',
    '-vf',
    filter,
    '-vsync',
    'passthrough',
    '-pix_fmt',
    o.channels === 1 ? 'gray' : 'rgb24',
    '-f',
    'rawvideo',
    '-',
  ];
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs();
  const input = Buffer.concat(tracks.map((t) => t.annexB));
  let run: FfmpegRun;
  try {
    run = await runFfmpeg(ffmpeg, args, 1, timeoutMs, `${files.length} files (${files[0]}, ...)`, input);
  } catch {
    return alone(); // each file gets the PluginError that names it
  }
  const frameBytes = o.size * o.size * o.channels;
  const data = run.outputs[0]!;
  const expected = o.pick ? selected.length : first;
  const ok =
    run.code === 0 &&
    !run.timedOut &&
    !run.tooLong &&
    run.stderr.trim() === '' &&
    data.length === expected * frameBytes;
  if (!ok) return alone();
  let at = 0;
  return tracks.map((t, k) => {
    const n = held[k]?.length ?? t.frames;
    const value: RawFrames = {
      data: data.subarray(at * frameBytes, (at + n) * frameBytes),
      count: t.frames,
      ...(held[k] ? { held: held[k] } : {}),
    };
    at += n;
    return { status: 'fulfilled', value };
  });
}

/** An ffmpeg expression true for frame numbers `n` in the ascending `frames`: a balanced tree of comparisons. */
export function selectExpression(frames: readonly number[]): string {
  if (frames.length === 0) return '0';
  const tree = (lo: number, hi: number): string => {
    if (hi - lo === 1) return `eq(n,${frames[lo]})`;
    const mid = (lo + hi) >> 1;
    return `if(lt(n,${frames[mid]}),${tree(lo, mid)},${tree(mid, hi)})`;
  };
  return tree(0, frames.length);
}

/**
 * The reference path: one ffmpeg process opens every file as an input of its own and pipes every
 * frame of each to its own pipe (frames picked in JS).
 */
async function readAsInputs(
  ffmpeg: string,
  files: readonly string[],
  o: ReadFramesOptions,
): Promise<PromiseSettledResult<RawFrames>[]> {
  const alone = (): Promise<PromiseSettledResult<RawFrames>[]> =>
    Promise.allSettled(files.map((f) => readFrames(ffmpeg, f, o)));
  if (files.length <= 1) return alone();
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs();
  const args = [
    '-filter_threads',
    '1',
    ...files.flatMap((f) => inputArgs(f, true)),
    ...files.flatMap((_, k) => outputArgs(k, o, `pipe:${3 + k}`)),
  ];
  let run: FfmpegRun;
  try {
    run = await runFfmpeg(ffmpeg, args, files.length, timeoutMs, `${files.length} files (${files[0]}, ...)`);
  } catch {
    return alone(); // each file gets the PluginError that names it
  }
  const frameBytes = o.size * o.size * o.channels;
  const ok =
    run.code === 0 &&
    !run.timedOut &&
    !run.tooLong &&
    run.stderr.trim() === '' &&
    run.outputs.every((b) => b.length >= frameBytes);
  if (!ok) return alone();
  return run.outputs.map((data) => ({
    status: 'fulfilled',
    value: { data, count: Math.floor(data.length / frameBytes) },
  }));
}

/** The DataError for an ffmpeg run that failed, naming the file and the most likely reason. */
async function explainFailure(
  file: string,
  stderr: string,
  code: number | null,
  signal: NodeJS.Signals | null,
): Promise<DataError> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return new DataError(
      e.code === 'ENOENT' ? `video file not found: ${file}` : `cannot read video file ${file}: ${e.message}`,
      { cause: e },
    );
  }
  if (!st.isFile()) return new DataError(`not a file: ${file}`);
  if (st.size === 0) return new DataError(`video file is empty (0 bytes): ${file}`);
  if (/matches no streams|does not contain any stream/i.test(stderr)) {
    return new DataError(`no video stream in ${file} (an audio-only file?)`, { hints: ffmpegHints(stderr) });
  }
  if (signal)
    return new DataError(`ffmpeg was stopped (${signal}) while decoding ${file}: it took too long or was killed`, {
      hints: ffmpegHints(stderr),
    });
  return new DataError(`cannot decode video ${file}: corrupt or not a video file (ffmpeg exit code ${code})`, {
    hints: ffmpegHints(stderr),
  });
}

/** ffmpeg's last few stderr lines, as hints. */
function ffmpegHints(stderr: string): string[] {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-3).map((l) => `ffmpeg: ${l.slice(0, 300)}`);
}

/**
 * Which of `count` frames to take: `uniform` takes frame ceil((t+1) * count / T) - 1 for t < T (the
 * end of each T-th of the clip, so the last is the clip's last frame; a clip shorter than T frames
 * repeats frames); `last` takes the last frame T times.
 */
export function pickFrames(count: number, frames: number, sampling: 'uniform' | 'last'): number[] {
  if (!(count >= 1)) throw new RangeError(`pickFrames: a clip needs at least one frame, got ${count}`);
  if (sampling === 'last') return new Array<number>(frames).fill(count - 1);
  return Array.from({ length: frames }, (_, t) =>
    Math.min(count - 1, Math.max(0, Math.ceil(((t + 1) * count) / frames) - 1)),
  );
}

const luts = new Map<string, Float32Array>();

/** byte -> decoded value for the preprocessing settings. */
function lutFor(p: VideoPreprocess): Float32Array {
  const key = `${p.invert}:${p.normalize}`;
  let lut = luts.get(key);
  if (!lut) {
    lut = new Float32Array(256);
    const scale = p.normalize === 'unit' ? 1 : 255;
    for (let v = 0; v < 256; v++) lut[v] = (p.invert ? 1 - v / 255 : v / 255) * scale;
    luts.set(key, lut);
  }
  return lut;
}

/**
 * The bytes of frame `f` of a clip (`frameBytes` each): every frame was read, or (`held`, a
 * stream-decoded clip) only the picked ones.
 */
export function rawFrame(raw: RawFrames, f: number, frameBytes: number): Buffer {
  const at = raw.held ? raw.held.indexOf(f) : f;
  if (at < 0) throw new RangeError(`frame ${f} of the clip was not read (read with other settings?)`);
  return raw.data.subarray(at * frameBytes, (at + 1) * frameBytes);
}

/** The [T, S, S, C] sample of a clip from its raw frames (frame after frame, row-major). */
export function framesToSample(raw: RawFrames, p: VideoPreprocess): Float32Array {
  const frameBytes = p.size * p.size * p.channels;
  const out = new Float32Array(p.frames * frameBytes);
  const lut = lutFor(p);
  pickFrames(raw.count, p.frames, p.sampling).forEach((f, t) => {
    const src = rawFrame(raw, f, frameBytes);
    const dst = t * frameBytes;
    for (let j = 0; j < frameBytes; j++) out[dst + j] = lut[src[j]!]!;
  });
  return out;
}
