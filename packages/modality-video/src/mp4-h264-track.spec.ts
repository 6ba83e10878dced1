import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@fewshot/core/plugin';
import { findFfmpeg } from './ffmpeg-binary.js';
import { makeVariableRateClip } from './mp4-test-clips.js';
import { mp4H264Track } from './mp4-h264-track.js';
import { encodeClip } from './render/encode-clip.js';
import { makeAudioOnly, makeGarbage } from './test-support.js';

let dir: string;
/** 12 frames of H.264 with B-frames (the shared set's settings), and the same drawing in MPEG-4 part 2. */
let h264: Buffer;
let h264Other: Buffer;
let mpeg4: Buffer;
let audio: Buffer;
let variableRate: Buffer;

/** `count` frames of a square growing on white, size x size. */
function frames(count: number, size: number, shift = 0): { count: number; data: Uint8Array } {
  const data = new Uint8Array(count * size * size);
  for (let i = 0; i < count; i++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) data[(i * size + y) * size + x] = x < i + shift && y < i + 2 ? 0 : 255;
  return { count, data };
}

async function encode(name: string, count: number, codec: string, shift = 0): Promise<Buffer> {
  const file = join(dir, name);
  const o = { size: 16, fps: 25, codec, crf: 30, preset: 'slow' };
  await encodeClip(findFfmpeg().path, frames(count, 16, shift), o, file);
  return readFile(file);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-mp4-'));
  h264 = await encode('h264.mp4', 12, 'libx264');
  h264Other = await encode('h264-other.mp4', 9, 'libx264', 3);
  mpeg4 = await encode('mpeg4.mp4', 12, 'mpeg4');
  await makeAudioOnly(join(dir, 'audio.mp4'));
  audio = await readFile(join(dir, 'audio.mp4'));
  await makeVariableRateClip(join(dir, 'vfr.mp4'));
  variableRate = await readFile(join(dir, 'vfr.mp4'));
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Offset of the first box of `type` (its size field), searching box contents depth-first. */
function boxAt(b: Buffer, type: string): number {
  const at = b.indexOf(Buffer.from(type, 'latin1'));
  if (at < 4) throw new Error(`no '${type}' box in the test clip`);
  return at - 4;
}

/** The NAL unit types of an Annex B stream (4-byte start codes). */
function nalTypes(annexB: Buffer): number[] {
  const types: number[] = [];
  for (
    let at = annexB.indexOf(Buffer.from([0, 0, 0, 1]));
    at >= 0;
    at = annexB.indexOf(Buffer.from([0, 0, 0, 1]), at + 4)
  )
    types.push(annexB[at + 4]! & 0x1f);
  return types;
}

describe('mp4H264Track', () => {
  it('counts the frames and gives the stream: SPS, PPS, then an IDR frame first', () => {
    const t = mp4H264Track(h264, 'h264.mp4')!;
    expect(t.frames).toBe(12);
    const types = nalTypes(t.annexB);
    expect(types.slice(0, 2)).toEqual([7, 8]);
    expect(types.indexOf(5)).toBeGreaterThan(1); // the first frame's slice is an IDR (after x264's SEI)
    expect(types.filter((x) => x === 5).length).toBe(1); // one IDR: the rest are P and B frames
    expect(mp4H264Track(h264Other, 'h264-other.mp4')!.frames).toBe(9);
  });

  it('gives clips of the same encoder settings the same stream key', () => {
    const a = mp4H264Track(h264, 'a')!;
    expect(mp4H264Track(h264Other, 'b')!.streamKey).toBe(a.streamKey);
    expect(a.streamKey).toMatch(/^[0-9a-f]+\|[0-9a-f]+$/); // SPS | SEI of the first frame
  });

  it('leaves what it does not take on to ffmpeg (undefined): not an MP4, no video, not H.264, header without avcC', async () => {
    await makeGarbage(join(dir, 'garbage.bin'));
    expect(mp4H264Track(await readFile(join(dir, 'garbage.bin')), 'garbage.bin')).toBeUndefined();
    expect(mp4H264Track(Buffer.from('not a video at all'), 'text.mp4')).toBeUndefined();
    expect(mp4H264Track(Buffer.alloc(0), 'empty.mp4')).toBeUndefined();
    expect(mp4H264Track(audio, 'audio.mp4')).toBeUndefined();
    expect(mp4H264Track(mpeg4, 'mpeg4.mp4')).toBeUndefined();
    const external = Buffer.from(h264); // the data reference is another file ('url ' not self-contained)
    external[boxAt(external, 'url ') + 11] = 0;
    expect(mp4H264Track(external, 'external.mp4')).toBeUndefined();
    const noAvcC = Buffer.from(h264);
    noAvcC.write('xvcC', boxAt(noAvcC, 'avcC') + 4, 'latin1');
    expect(mp4H264Track(noAvcC, 'no-avcc.mp4')).toBeUndefined();
  });

  it('leaves frame durations that vary, and edit lists that cut frames, to ffmpeg', () => {
    // ffmpeg's constant-rate output repeats frames to fill the gaps of such a clip: 10 frames give 17
    const vfr = mp4H264Track(variableRate, 'vfr.mp4');
    expect(vfr).toBeUndefined();
    const elst = boxAt(h264, 'elst');
    const cut = Buffer.from(h264);
    cut.writeUInt32BE(cut.readUInt32BE(elst + 16) >> 1, elst + 16); // the edit plays half the media
    expect(mp4H264Track(cut, 'cut.mp4')).toBeUndefined();
    const shifted = Buffer.from(h264);
    shifted.writeInt32BE(shifted.readInt32BE(elst + 20) + 512, elst + 20); // starts a frame later
    expect(mp4H264Track(shifted, 'shifted.mp4')).toBeUndefined();
  });

  it('is a DataError naming the file for a damaged MP4', () => {
    const damaged = (bytes: Buffer, file: string): DataError => {
      try {
        mp4H264Track(bytes, file);
      } catch (err) {
        return err as DataError;
      }
      throw new Error(`no error for ${file}`);
    };
    const moov = boxAt(h264, 'moov');
    const huge = Buffer.from(h264);
    huge.writeUInt32BE(0x7fffffff, moov);
    const e = damaged(huge, '/data/huge-moov.mp4');
    expect(e).toBeInstanceOf(DataError);
    expect(e.message).toMatch(/^damaged MP4 \/data\/huge-moov\.mp4: box 'moov' at byte \d+ claims 2147483647 bytes/);
    // cut before the end: the movie header or the frames are missing
    const cutShort = h264.subarray(0, Math.floor(h264.length * 0.6));
    expect(damaged(cutShort, '/data/cut.mp4').message).toMatch(/^damaged MP4 \/data\/cut\.mp4: /);
    // a sample size table that promises more than the file holds
    const stsz = boxAt(h264, 'stsz');
    const sizes = Buffer.from(h264);
    sizes.writeUInt32BE(0x00ffffff, stsz + 20);
    expect(damaged(sizes, '/data/sizes.mp4').message).toBe(
      'damaged MP4 /data/sizes.mp4: frame 1 of 12 lies past the end of the file (truncated?)',
    );
    // one sample size for all (stsz) with a count far past the file: reported, not expanded (a library
    // that builds the sample list first aborts the process on this: docs/experiments/2026-11-30-video-decoding.md)
    const uniform = Buffer.from(h264);
    uniform.writeUInt32BE(46, stsz + 12);
    uniform.writeUInt32BE(867_696_670, stsz + 16);
    expect(damaged(uniform, '/data/uniform.mp4').message).toBe(
      'damaged MP4 /data/uniform.mp4: its 867696670 frames of 46 bytes exceed the file',
    );
    // chunks that hold more frames than the sample sizes list, a negative time scale
    const stsc = boxAt(h264, 'stsc');
    const perChunk = Buffer.from(h264);
    perChunk.writeUInt32BE(perChunk.readUInt32BE(stsc + 20) + 1, stsc + 20);
    expect(damaged(perChunk, '/data/stsc.mp4').message).toBe(
      'damaged MP4 /data/stsc.mp4: its chunks hold 13 frames, its sample sizes 12',
    );
    const scale = Buffer.from(h264);
    scale.writeInt32BE(-5, boxAt(scale, 'mdhd') + 20);
    expect(damaged(scale, '/data/scale.mp4').message).toBe('damaged MP4 /data/scale.mp4: its track time scale is -5');
    // a table that claims more entries than its box holds
    const stco = boxAt(h264, 'stco');
    const chunks = Buffer.from(h264);
    chunks.writeUInt32BE(1000, stco + 12);
    expect(damaged(chunks, '/data/chunks.mp4').message).toBe(
      'damaged MP4 /data/chunks.mp4: its chunk offset table claims 1000 entries, more than fit',
    );
  });
});
