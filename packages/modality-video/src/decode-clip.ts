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
  /** Kill ffmpeg after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/** Keep at most this much of ffmpeg's stderr (its last lines say what went wrong). */
const STDERR_LIMIT = 8192;

/**
 * Every frame of the first video stream of `file`, scaled to size x size (area averaging) as grey or
 * RGB bytes, from one ffmpeg process writing raw video to a pipe (no temporary files). Throws DataError
 * naming the file when it is missing, empty, has no video stream, cannot be decoded, is damaged (ffmpeg
 * reports decoding errors, e.g. a truncated file, even when it exits 0) or gives no frame,
 * and PluginError when ffmpeg itself cannot be started.
 */
export function readFrames(ffmpeg: string, file: string, o: ReadFramesOptions): Promise<RawFrames> {
  const frameBytes = o.size * o.size * o.channels;
  const args = [
    '-nostdin', '-hide_banner', '-v', 'error',
    '-threads', '1', // one decoding thread: clips are decoded in parallel instead
    '-i', file,
    '-map', '0:v:0',
    '-vf', `scale=${o.size}:${o.size}:flags=area`,
    '-pix_fmt', o.channels === 1 ? 'gray' : 'rgb24',
    '-f', 'rawvideo', '-',
  ];
  return new Promise<RawFrames>((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // our own timer (spawn's `timeout` keeps running when the binary cannot be started at all)
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    timer.unref();
    const chunks: Buffer[] = [];
    let bytes = 0;
    let stderr = '';
    let failed = false;
    child.stdout.on('data', (c: Buffer) => {
      chunks.push(c);
      bytes += c.length;
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString('utf8')).slice(-STDERR_LIMIT);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      failed = true;
      reject(new PluginError(`cannot run ffmpeg (${ffmpeg}) to read ${file}: ${err.message}`, { cause: err, hints: ['check FFMPEG_PATH, or see `fewshot plugins` for the ffmpeg in use'] }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failed) return;
      if (code !== 0) {
        void explainFailure(file, stderr, code, signal).then(reject, reject);
        return;
      }
      // with `-v error` ffmpeg prints only errors: on a truncated or damaged file it may still exit 0
      // with the frames it could decode, which would silently stand in for the whole clip
      if (stderr.trim() !== '') {
        reject(new DataError(`video file is damaged: ffmpeg reported errors while decoding ${file} (truncated or corrupt?)`, { hints: ffmpegHints(stderr) }));
        return;
      }
      const count = Math.floor(bytes / frameBytes);
      if (count === 0) {
        reject(new DataError(`no video frames could be decoded from ${file}`)); // ffmpeg printed nothing (checked above)
        return;
      }
      resolve({ data: Buffer.concat(chunks, bytes), count });
    });
  });
}

/** The DataError for an ffmpeg run that failed, naming the file and the most likely reason. */
async function explainFailure(file: string, stderr: string, code: number | null, signal: NodeJS.Signals | null): Promise<DataError> {
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return new DataError(e.code === 'ENOENT' ? `video file not found: ${file}` : `cannot read video file ${file}: ${e.message}`, { cause: e });
  }
  if (!st.isFile()) return new DataError(`not a file: ${file}`);
  if (st.size === 0) return new DataError(`video file is empty (0 bytes): ${file}`);
  if (/matches no streams|does not contain any stream/i.test(stderr)) {
    return new DataError(`no video stream in ${file} (an audio-only file?)`, { hints: ffmpegHints(stderr) });
  }
  if (signal) return new DataError(`ffmpeg was stopped (${signal}) while decoding ${file}: it took too long or was killed`, { hints: ffmpegHints(stderr) });
  return new DataError(`cannot decode video ${file}: corrupt or not a video file (ffmpeg exit code ${code})`, { hints: ffmpegHints(stderr) });
}

/** ffmpeg's last few stderr lines, as hints. */
function ffmpegHints(stderr: string): string[] {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
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
  return Array.from({ length: frames }, (_, t) => Math.min(count - 1, Math.max(0, Math.ceil(((t + 1) * count) / frames) - 1)));
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
