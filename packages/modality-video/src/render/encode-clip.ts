import { spawn, spawnSync } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { DataError } from '@fewshot/core/plugin';

/** How frames are encoded. The shared set: H.264 (libx264, preset slow, CRF 30), yuv420p, MP4. */
export interface EncodeOptions {
  readonly size: number;
  readonly fps: number;
  /** ffmpeg encoder name (`libx264`, or a fallback such as `mpeg4`). */
  readonly codec: string;
  /** libx264 only. */
  readonly crf: number;
  readonly preset: string;
}

/** Encoders to try for 'auto', best first: H.264 as the shared set, then MPEG-4 part 2 (every ffmpeg build has it). */
const PREFERRED_CODECS = ['libx264', 'libopenh264', 'mpeg4'] as const;

/** The first of libx264, libopenh264, mpeg4 that the ffmpeg build has (`ffmpeg -encoders`). */
export function pickCodec(ffmpeg: string): string {
  const r = spawnSync(ffmpeg, ['-hide_banner', '-encoders'], { encoding: 'utf8', timeout: 20_000 });
  const listed = new Set(
    (r.stdout ?? '')
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[1])
      .filter((x): x is string => Boolean(x)),
  );
  return PREFERRED_CODECS.find((c) => listed.has(c)) ?? 'mpeg4';
}

/**
 * Encode `count` grey size x size frames (one after the other in `data`) to an MP4 at `outFile`: the
 * frames are piped as raw video to one ffmpeg process, which writes a temporary file renamed into
 * place when it succeeds (an interrupted run never leaves a half-written clip).
 */
export async function encodeClip(
  ffmpeg: string,
  frames: { count: number; data: Uint8Array },
  o: EncodeOptions,
  outFile: string,
): Promise<void> {
  const tmp = `${outFile}.${process.pid}.tmp.mp4`;
  const codecArgs =
    o.codec === 'libx264' ? ['-preset', o.preset, '-crf', String(o.crf)] : o.codec === 'mpeg4' ? ['-q:v', '4'] : [];
  const args = [
    '-nostdin',
    '-hide_banner',
    '-v',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gray',
    '-s',
    `${o.size}x${o.size}`,
    '-r',
    String(o.fps),
    '-i',
    '-',
    '-an',
    '-c:v',
    o.codec,
    ...codecArgs,
    '-threads',
    '1',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mp4',
    '-y',
    tmp,
  ];
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
      child.stdin.on('error', () => {}); // ffmpeg stopped reading: its exit status says why
      child.on('error', (err) =>
        reject(new DataError(`cannot run ffmpeg (${ffmpeg}) to write ${outFile}: ${err.message}`, { cause: err })),
      );
      child.on('close', (code) => {
        if (code === 0) resolve();
        else
          reject(
            new DataError(`ffmpeg could not encode ${outFile} (exit code ${code})`, {
              hints: stderr
                .split('\n')
                .filter(Boolean)
                .slice(-3)
                .map((l) => `ffmpeg: ${l}`),
            }),
          );
      });
      child.stdin.end(Buffer.from(frames.data.buffer, frames.data.byteOffset, frames.data.byteLength));
    });
    await rename(tmp, outFile);
  } finally {
    await rm(tmp, { force: true });
  }
}
