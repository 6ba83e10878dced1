import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeClip, findFfmpeg, pickCodec } from '@fewshot/modality-video';

let codec: string | undefined;

/**
 * A tiny drawing video made here with the ffmpeg in use: `count` frames of size x size, white, the
 * pixels for which `ink(x, y, progress)` holds black (progress = (frame + 1) / count).
 */
export async function writeClip(
  file: string,
  ink: (x: number, y: number, progress: number) => boolean,
  count = 8,
  size = 16,
): Promise<void> {
  const ffmpeg = findFfmpeg().path;
  codec ??= pickCodec(ffmpeg);
  const data = new Uint8Array(count * size * size).fill(255);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) if (ink(x, y, (i + 1) / count)) data[(i * size + y) * size + x] = 0;
  mkdirSync(path.dirname(file), { recursive: true });
  await encodeClip(ffmpeg, { count, data }, { size, fps: 25, codec, crf: 0, preset: 'ultrafast' }, file);
}

/** Shapes drawn over time: a vertical bar growing down, a horizontal bar growing right, a diagonal growing. */
export const SHAPES: Record<string, (jitter: number) => (x: number, y: number, p: number) => boolean> = {
  vertical: (j) => (x, y, p) => Math.abs(x - 7 - j) <= 1 && y <= 15 * p,
  horizontal: (j) => (x, y, p) => Math.abs(y - 7 - j) <= 1 && x <= 15 * p,
  diagonal: (j) => (x, y, p) => Math.abs(x - y - j) <= 1 && x <= 15 * p,
};

/** `root/<shape>/<shape>_<drawer>.mp4` for every shape, `perClass` drawers each (slight jitter per drawer). */
export async function writeShapeClips(root: string, perClass: number): Promise<void> {
  for (const [name, shape] of Object.entries(SHAPES)) {
    for (let d = 0; d < perClass; d++)
      await writeClip(path.join(root, name, `${name}_${String(d + 1).padStart(2, '0')}.mp4`), shape((d % 3) - 1));
  }
}

/** An MP4 holding only a short sine tone. */
export function writeAudioOnly(file: string): Promise<void> {
  const ffmpeg = findFfmpeg().path;
  mkdirSync(path.dirname(file), { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      ffmpeg,
      [
        '-nostdin',
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:duration=0.2',
        '-c:a',
        'aac',
        '-f',
        'mp4',
        '-y',
        file,
      ],
      { stdio: 'ignore' },
    );
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exit ${code}`))));
  });
}

/** A corrupt "video" (bytes that are no container) and an empty one. */
export function writeCorruptAndEmpty(corrupt: string, empty: string): void {
  mkdirSync(path.dirname(corrupt), { recursive: true });
  mkdirSync(path.dirname(empty), { recursive: true });
  writeFileSync(corrupt, Buffer.from('this is not a video file, just text pretending to be one. '.repeat(40)));
  writeFileSync(empty, '');
}
