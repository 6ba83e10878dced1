// Property-based fuzzing of the WAV reader and the audio modality's decode path (fast-check). Every
// input, however broken, must give samples (features) or a DataError (no RangeError, TypeError or bare
// Error escaping) within a time limit. Seeds are real recordings from $FEWSHOT_TEST_DATA (else
// ../shared/data next to the repository): FSDD (8 kHz) and Arabic Speech Commands (16 kHz), and one of
// them re-encoded in every supported encoding, in stereo, as WAVE_FORMAT_EXTENSIBLE and with extra chunks.
// Runs per property: FEWSHOT_FUZZ_RUNS (default 150, a few seconds); seed: FEWSHOT_FUZZ_SEED (default 21).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DataError } from '@fewshot/core/plugin';
import { cpuTimeMs, fuzzSettings, testDataPath } from '@fewshot/core/testing';
import { AudioModality } from './audio-modality.js';
import { encodeWav, type WavEncoding } from './encode-wav.js';
import { decodeWav, type WavAudio } from './wav-reader.js';

const { numRuns: RUNS, seed: SEED } = fuzzSettings({ runs: 150, seed: 21 });
/** CPU time a single decode may take (a one-second clip decodes in about a millisecond, its features in a few). */
const TIME_LIMIT_MS = 2000;

function realWav(rel: string): Uint8Array {
  const path = testDataPath(import.meta.url, rel);
  return new Uint8Array(readFileSync(path)); // a copy: Buffer#slice would share memory and let mutations reach the seed
}

const real = [
  realWav('fsdd/recordings/0_george_0.wav'),
  realWav('fsdd/recordings/7_jackson_12.wav'),
  realWav('arabic-speech-commands/dataset/backward/00000001_NO_01.wav'),
];

/** A LIST chunk (odd size, so padded) spliced in before the data chunk. */
function withListChunk(wav: Uint8Array): Uint8Array {
  const fmtEnd = 20 + new DataView(wav.buffer, wav.byteOffset).getUint32(16, true);
  const chunk = Uint8Array.from([...'LIST'].map((c) => c.charCodeAt(0)).concat([5, 0, 0, 0, 1, 2, 3, 4, 5, 0]));
  const out = Uint8Array.from([...wav.subarray(0, fmtEnd), ...chunk, ...wav.subarray(fmtEnd)]);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

function derivedSeeds(): Uint8Array[] {
  const x = decodeWav(real[0]!, 'seed').samples.subarray(0, 2000);
  const y = Float32Array.from(x, (v) => -v);
  const encodings: WavEncoding[] = ['pcm8', 'pcm24', 'pcm32', 'float32', 'float64'];
  return [
    ...encodings.map((e) => encodeWav([x], 8000, e)),
    encodeWav([x, y], 8000, 'pcm16'),
    encodeWav([x], 8000, 'float32', true),
    encodeWav([x, y, x], 44100, 'pcm24', true),
    withListChunk(real[1]!),
  ];
}
const seeds = [...real, ...derivedSeeds()];

/** Decode once: finite samples, or a DataError naming the file; anything else, or a slow decode, fails the property. */
function decodesOrDataError(bytes: Uint8Array): boolean {
  const t0 = cpuTimeMs();
  let wav: WavAudio | undefined;
  try {
    wav = decodeWav(bytes, 'fuzz.wav');
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    if (!err.message.includes('fuzz.wav'))
      throw new Error(`DataError does not name the file: ${err.message}`, { cause: err });
  }
  const ms = cpuTimeMs() - t0;
  if (ms > TIME_LIMIT_MS) throw new Error(`decode took ${Math.round(ms)} ms of CPU time (limit ${TIME_LIMIT_MS} ms)`);
  if (wav) {
    if (!(wav.sampleRate >= 1 && wav.channels >= 1 && wav.samples.length >= 1))
      throw new Error(`bad WAV: ${wav.sampleRate} Hz, ${wav.channels} channels, ${wav.samples.length} samples`);
    for (const v of wav.samples) if (!Number.isFinite(v)) throw new Error(`sample ${v}`);
  }
  return true;
}

const seed = fc.constantFrom(...seeds);
/** Bit flips anywhere, or (half the time) in the first 80 bytes, where the headers are. */
const flips = fc.array(fc.tuple(fc.oneof(fc.nat(), fc.nat({ max: 79 })), fc.nat({ max: 7 })), {
  minLength: 1,
  maxLength: 8,
});
/** 16- and 32-bit values that break sizes, rates, channel counts and sample widths. */
const evil = fc.constantFrom(
  0,
  1,
  2,
  3,
  7,
  8,
  0x7f,
  0x80,
  0xff,
  0xfffe,
  0xffff,
  0x10000,
  0x7fffffff,
  0x80000000,
  0xffffffff,
);

function flip(bytes: Uint8Array, at: readonly (readonly [number, number])[]): Uint8Array {
  const out = bytes.slice();
  if (out.length > 0) for (const [pos, bit] of at) out[pos % out.length]! ^= 1 << bit;
  return out;
}

/** Write `value` as a little-endian 16- or 32-bit field at `at` (header fields sit at even offsets). */
function overwrite(bytes: Uint8Array, at: number, value: number, wide: boolean): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  if (wide && at + 4 <= out.length) view.setUint32(at, value >>> 0, true);
  else if (!wide && at + 2 <= out.length) view.setUint16(at, value & 0xffff, true);
  return out;
}

const options = (n = RUNS): fc.Parameters<unknown> => ({ numRuns: n, seed: SEED });

describe(`decodeWav fuzzing (${RUNS} runs per property, seed ${SEED})`, () => {
  it('the seeds themselves decode', () => {
    for (const s of seeds) expect(decodeWav(s, 'seed').samples.length).toBeGreaterThan(1000);
  });

  it('random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (b) => decodesOrDataError(b)),
      options(),
    );
  });

  it('random bytes after a RIFF WAVE header', () => {
    const riff = [...'RIFF'].map((c) => c.charCodeAt(0));
    const wave = [...'WAVEfmt '].map((c) => c.charCodeAt(0));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 4096 }), (size, b) =>
        decodesOrDataError(Uint8Array.from([...riff, ...size, ...wave, ...b])),
      ),
      options(),
    );
  });

  it('truncations of real files', () => {
    fc.assert(
      fc.property(seed, fc.nat(), (s, n) => decodesOrDataError(s.subarray(0, n % s.length))),
      options(),
    );
  });

  it('bit flips of real files', () => {
    fc.assert(
      fc.property(seed, flips, (s, f) => decodesOrDataError(flip(s, f))),
      options(),
    );
  });

  it('extreme values written into the header fields', () => {
    fc.assert(
      fc.property(seed, fc.nat({ max: 40 }), evil, fc.boolean(), (s, half, v, wide) =>
        decodesOrDataError(overwrite(s, 2 * half, v, wide)),
      ),
      options(),
    );
  });

  it('pieces cut out or repeated', () => {
    fc.assert(
      fc.property(seed, fc.nat(), fc.nat(), fc.nat({ max: 256 }), (s, a, b, len) => {
        const i = a % s.length;
        const j = b % s.length;
        const end = Math.min(s.length, i + len);
        return (
          decodesOrDataError(Uint8Array.from([...s.subarray(0, j), ...s.subarray(i, end), ...s.subarray(j)])) &&
          decodesOrDataError(Uint8Array.from([...s.subarray(0, i), ...s.subarray(end)]))
        );
      }),
      options(),
    );
  });
});

describe(`AudioModality.decode fuzzing (${Math.ceil(RUNS / 3)} runs per property, seed ${SEED})`, () => {
  const modality = new AudioModality();
  const p = modality.preprocessSchema.parse({});
  const frames = modality.sampleShape(p).dims.reduce((a, b) => a * b, 1);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fewshot-wav-fuzz-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The whole decode path (read, resample, trim, features): a feature map of the right size, or a DataError. */
  async function featuresOrDataError(bytes: Uint8Array): Promise<boolean> {
    const path = join(dir, 'fuzz.wav');
    await writeFile(path, bytes);
    const t0 = cpuTimeMs();
    let features: Float32Array | undefined;
    try {
      features = await modality.decode({ id: 'fuzz', path, label: 'x' }, p);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      if (!err.message.includes(path))
        throw new Error(`DataError does not name the file: ${err.message}`, { cause: err });
    }
    const ms = cpuTimeMs() - t0;
    if (ms > TIME_LIMIT_MS) throw new Error(`decode took ${Math.round(ms)} ms of CPU time (limit ${TIME_LIMIT_MS} ms)`);
    if (features) {
      if (features.length !== frames) throw new Error(`${features.length} feature values, ${frames} expected`);
      for (const v of features) if (!Number.isFinite(v)) throw new Error(`feature value ${v}`);
    }
    return true;
  }

  const runs = { numRuns: Math.ceil(RUNS / 3), seed: SEED };

  it('bit flips of real files', async () => {
    await fc.assert(
      fc.asyncProperty(seed, flips, (s, f) => featuresOrDataError(flip(s, f))),
      runs,
    );
  });

  it('extreme values written into the header fields', async () => {
    await fc.assert(
      fc.asyncProperty(seed, fc.nat({ max: 40 }), evil, fc.boolean(), (s, half, v, wide) =>
        featuresOrDataError(overwrite(s, 2 * half, v, wide)),
      ),
      runs,
    );
  });

  it('truncations of real files', async () => {
    await fc.assert(
      fc.asyncProperty(seed, fc.nat(), (s, n) => featuresOrDataError(s.subarray(0, n % s.length))),
      runs,
    );
  });

  it('found by fuzzing: a header saying 1 Hz is a DataError (libsamplerate threw a bare RangeError)', async () => {
    const path = join(dir, 'one-hertz.wav');
    await writeFile(path, overwrite(real[0]!, 24, 1, true));
    await expect(modality.decode({ id: 'x', path, label: 'x' }, p)).rejects.toThrow(
      new DataError(
        `cannot resample ${path} from 1 Hz to 16000 Hz: libsamplerate changes the rate by a factor of at most 256 (a corrupt header?)`,
      ),
    );
  });
});
