import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@fewshot/core/plugin';
import { encodeWav, type WavEncoding } from './encode-wav.js';
import { decodeWav, readWav } from './wav-reader.js';

const ramp = Float32Array.from({ length: 64 }, (_, i) => -0.9 + (1.8 * i) / 63);
// node-wav scales negative values by 1/2^(b-1) and positive ones by 1/(2^(b-1) - 1); the encoder rounds to the latter
const tolerance: Record<WavEncoding, number> = {
  pcm8: 2 / 127,
  pcm16: 2 / 32767,
  pcm24: 2 / 8388607,
  pcm32: 1e-7,
  float32: 0,
  float64: 0,
};

/** A chunk of `size` bytes (padded to even) to splice in before `data`. */
function withChunkBeforeData(wav: Uint8Array, id: string, size: number): Uint8Array {
  const fmtEnd = 12 + 8 + new DataView(wav.buffer).getUint32(16, true);
  const chunk = new Uint8Array(8 + size + (size & 1));
  for (let i = 0; i < 4; i++) chunk[i] = id.charCodeAt(i);
  new DataView(chunk.buffer).setUint32(4, size, true);
  const out = new Uint8Array(wav.length + chunk.length);
  out.set(wav.subarray(0, fmtEnd));
  out.set(chunk, fmtEnd);
  out.set(wav.subarray(fmtEnd), fmtEnd + chunk.length);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

function errorOf(f: () => unknown): Error {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('decodeWav', () => {
  it.each(['pcm8', 'pcm16', 'pcm24', 'pcm32', 'float32', 'float64'] as const)(
    'reads %s samples back within their quantisation step',
    (encoding) => {
      const wav = decodeWav(encodeWav([ramp], 22050, encoding), 'x.wav');
      expect(wav).toMatchObject({ sampleRate: 22050, channels: 1, encoding });
      expect(wav.samples.length).toBe(64);
      const err = Math.max(...wav.samples.map((v, i) => Math.abs(v - ramp[i]!)));
      expect(err).toBeLessThanOrEqual(tolerance[encoding] + 1e-7);
    },
  );

  it('mixes channels down to their mean, and reads WAVE_FORMAT_EXTENSIBLE headers', () => {
    const left = new Float32Array(10).fill(0.5);
    const right = new Float32Array(10).fill(-0.1);
    const third = new Float32Array(10).fill(0.2);
    const wav = decodeWav(encodeWav([left, right, third], 8000, 'pcm24', true), 'x.wav');
    expect(wav.channels).toBe(3);
    expect(wav.samples.length).toBe(10);
    for (const v of wav.samples) expect(v).toBeCloseTo(0.2, 5);
  });

  it('skips other chunks, even when they leave the samples at an unaligned offset', () => {
    // a 2-byte chunk puts float32 data at an offset that is not a multiple of 4 (node-wav alone throws a RangeError)
    const odd = withChunkBeforeData(encodeWav([ramp], 16000, 'float32'), 'LIST', 2);
    expect([...decodeWav(odd, 'x.wav').samples]).toEqual([...ramp]);
    // an odd-sized chunk is padded to even
    const padded = withChunkBeforeData(encodeWav([ramp], 16000, 'pcm16'), 'junk', 5);
    expect(decodeWav(padded, 'x.wav').samples.length).toBe(64);
    // a Buffer that is a view into a larger pool at a non-zero offset (node-wav alone misreads its end)
    const pool = new Uint8Array(10 + 44 + 128);
    pool.set(encodeWav([ramp], 16000, 'pcm16'), 10);
    expect(decodeWav(pool.subarray(10), 'x.wav').samples.length).toBe(64);
  });

  it('names the file and the problem for every kind of bad input', () => {
    const good = encodeWav([ramp], 16000, 'pcm16');
    const cases: [Uint8Array, RegExp][] = [
      [
        new TextEncoder().encode('<html>not audio</html>'),
        /not a WAV file \(starts with 3c 68 74 6d 6c 3e 6e 6f "<html>no"\)/,
      ],
      [new Uint8Array(0), /not a WAV file \(the file is empty\)/],
      [good.subarray(0, 30), /truncated WAV header \(the fmt chunk needs 36 bytes, the file has 30\)/],
      [good.subarray(0, 16), /truncated WAV header \(the file ends after 16 bytes, before the fmt chunk\)/],
      [good.subarray(0, 36), /truncated WAV \(no data chunk/],
      [good.subarray(0, 100), /truncated WAV data \(the header announces 128 bytes of samples, the file holds 56\)/],
      [encodeWav([new Float32Array(0)], 16000, 'pcm16'), /holds no samples/],
      [encodeWav([Float32Array.of(0.1, Number.NaN, 0.2)], 16000, 'float32'), /NaN sample at frame 1/],
      [
        encodeWav([Float32Array.of(0.1, 0.2), Float32Array.of(0, Number.POSITIVE_INFINITY)], 16000, 'float32'),
        /infinite sample at frame 1 \(channel 1\)/,
      ],
    ];
    for (const [bytes, message] of cases) {
      const err = errorOf(() => decodeWav(bytes, '/data/clip.wav'));
      expect(err).toBeInstanceOf(DataError);
      expect(err.message).toMatch(/^cannot decode \/data\/clip\.wav: /);
      expect(err.message).toMatch(message);
    }
  });

  it('refuses encodings it cannot read, by name', () => {
    const mulaw = encodeWav([ramp], 8000, 'pcm8');
    new DataView(mulaw.buffer).setUint16(20, 7, true);
    expect(() => decodeWav(mulaw, 'a.wav')).toThrow('cannot decode a.wav: unsupported WAV encoding: mu-law');
    const pcm12 = encodeWav([ramp], 8000, 'pcm16');
    new DataView(pcm12.buffer).setUint16(34, 12, true);
    expect(() => decodeWav(pcm12, 'a.wav')).toThrow('unsupported WAV encoding: format tag 0x0001 at 12 bits');
    const rifx = encodeWav([ramp], 8000, 'pcm16');
    rifx.set([0x52, 0x49, 0x46, 0x58], 0);
    expect(() => decodeWav(rifx, 'a.wav')).toThrow(/unsupported WAV variant RIFX/);
    const badAlign = encodeWav([ramp], 8000, 'pcm16');
    new DataView(badAlign.buffer).setUint16(32, 3, true);
    expect(() => decodeWav(badAlign, 'a.wav')).toThrow(/block align 3, 2 expected/);
  });
});

describe('readWav', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fewshot-wav-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file, and reports missing files and folders as DataErrors naming them', async () => {
    const file = join(dir, 'tone.wav');
    await writeFile(file, encodeWav([ramp], 8000, 'pcm16'));
    expect(readWav(file).samples.length).toBe(64);
    expect(() => readWav(join(dir, 'missing.wav'))).toThrow(`audio file not found: ${join(dir, 'missing.wav')}`);
    expect(() => readWav(dir)).toThrow(DataError);
    expect(() => readWav(dir)).toThrow(`cannot decode ${dir}: it is a folder`);
  });
});
