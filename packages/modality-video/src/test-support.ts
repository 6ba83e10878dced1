// Helpers shared by this package's specs (and the repository's video tests): tiny clips and zips
// made at test time, so no binary fixture is committed.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { findFfmpeg } from './ffmpeg-binary.js';
import { encodeClip, pickCodec } from './render/encode-clip.js';

let codec: string | undefined;

/**
 * Write an MP4 of `count` grey size x size frames, frame i filled by `pixel(i, x, y)` (0-255), with
 * the ffmpeg in use (libx264 at CRF 0, lossless luma, when it has it).
 */
export async function makeClip(
  file: string,
  count: number,
  size: number,
  pixel: (frame: number, x: number, y: number) => number,
  fps = 25,
): Promise<void> {
  const ffmpeg = findFfmpeg().path;
  codec ??= pickCodec(ffmpeg);
  const data = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data[(i * size + y) * size + x] = pixel(i, x, y);
  await encodeClip(ffmpeg, { count, data }, { size, fps, codec, crf: 0, preset: 'ultrafast' }, file);
}

/** An MP4 with one short audio stream (a sine tone) and no video. */
export async function makeAudioOnly(file: string): Promise<void> {
  const ffmpeg = findFfmpeg().path;
  await new Promise<void>((resolve, reject) => {
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
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg could not write ${file} (exit ${code})`)),
    );
  });
}

/** A file of `bytes` pseudo-random bytes (not a video). */
export async function makeGarbage(file: string, bytes = 3000): Promise<void> {
  let s = 12345;
  const data = Uint8Array.from({ length: bytes }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) & 255);
  await writeFile(file, data);
}

/** A zip archive of the given entries, stored without compression (what yauzl reads like any zip). */
export function storeZip(entries: readonly { name: string; data: string | Uint8Array }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const data = typeof e.data === 'string' ? Buffer.from(e.data, 'utf8') : Buffer.from(e.data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
