import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { DataError, PluginError } from '@fewshot/core/plugin';
import type { VideoPreprocess } from './video-preprocess.js';

/** Raw frames of one clip as ffmpeg gave them: `count` frames of size x size x channels bytes. */
export interface RawFrames {
  readonly data: Buffer;
  readonly count: number;
}

export interface ReadFramesOptions {
  readonly size: number;
  readonly channels: 1 | 3;
  /** Kill ffmpeg after this long (default DEFAULT_TIMEOUT_MS); the DataError names the file. */
  readonly timeoutMs?: number;
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
): Promise<FfmpegRun> {
  const stdio: ('ignore' | 'pipe')[] =
    outputs === 1
      ? ['ignore', 'pipe', 'pipe']
      : ['ignore', 'ignore', 'pipe', ...new Array<'pipe'>(outputs).fill('pipe')];
  return new Promise<FfmpegRun>((resolve, reject) => {
    const child = spawn(ffmpeg, ['-nostdin', '-hide_banner', '-v', 'error', ...args], { stdio });
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
 * `readFrames` of several files from one ffmpeg process (one input and one output pipe per file;
 * each file's decoding and scaling is the same as alone, so the frames are identical): starting
 * ffmpeg costs about as much as decoding a short clip. When that run fails in any way (one bad
 * file stops it), every file is read again on its own, so each result is exactly what `readFrames`
 * gives: frames, or the error that names its file. Never rejects; settles one entry per file.
 */
export async function readFramesMany(
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

/** The [T, S, S, C] sample of a clip from its raw frames (frame after frame, row-major). */
export function framesToSample(raw: RawFrames, p: VideoPreprocess): Float32Array {
  const frameBytes = p.size * p.size * p.channels;
  const out = new Float32Array(p.frames * frameBytes);
  const lut = lutFor(p);
  pickFrames(raw.count, p.frames, p.sampling).forEach((f, t) => {
    const src = f * frameBytes;
    const dst = t * frameBytes;
    for (let j = 0; j < frameBytes; j++) out[dst + j] = lut[raw.data[src + j]!]!;
  });
  return out;
}
