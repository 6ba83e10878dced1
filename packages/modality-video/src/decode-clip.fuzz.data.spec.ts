// Fuzzing the video decoder (issue 21): random bytes, truncations and bit flips of real clips of
// omniglot-drawing-videos ($FEWSHOT_TEST_DATA, else ../shared/data next to the repository) go through
// VideoModality.decode, three at a time (one batched ffmpeg run, and its per-file fallback). Each call
// must give a sample of the right size with values in [0, 1] or throw DataError, and end within the
// ffmpeg timeout. FEWSHOT_FUZZ_RUNS sets the number of runs per property (default: a CI-sized 10), FEWSHOT_FUZZ_SEED the seed.
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { DataError } from '@fewshot/core/plugin';
import { fuzzSettings, testDataDir, testDataPath } from '@fewshot/core/testing';
import { VideoModality } from './video-modality.js';

const videos = path.join(testDataDir(import.meta.url), 'omniglot-drawing-videos');
const { numRuns: RUNS, seed: SEED } = fuzzSettings({ runs: 10, seed: 21 });
const TIMEOUT_MS = 10_000;
/** Spawning and reading back: what one call may take beyond the ffmpeg timeout. */
const SLACK_MS = 5_000;

const modality = new VideoModality(undefined, { timeoutMs: TIMEOUT_MS });
const pre = modality.preprocessSchema.parse({ frames: 8, size: 28 });

/** A few real clips (every 500th, sorted), as bytes. */
function realClips(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.mp4')) out.push(path.join(dir, e.name));
    }
  };
  walk(videos);
  return out.filter((_, i) => i % 500 === 0);
}

let dir: string;
let clips: Buffer[];
let n = 0;
beforeAll(async () => {
  testDataPath(import.meta.url, 'omniglot-drawing-videos'); // fails naming FEWSHOT_TEST_DATA when missing
  dir = await mkdtemp(path.join(tmpdir(), 'fewshot-fuzz-'));
  clips = await Promise.all(realClips().map((f) => readFile(f)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Outcomes seen over all runs (for the by-hand report: FUZZ_REPORT=1). */
const seen = { decoded: 0, dataError: 0, calls: 0, slowestMs: 0 };
afterAll(() => {
  if (process.env['FUZZ_REPORT']) process.stderr.write(`video fuzz: ${JSON.stringify(seen)}\n`);
});

/** Decode the inputs at once (one batch); every one must be a sample or a DataError, in time. */
async function decodeAll(inputs: readonly Uint8Array[]): Promise<void> {
  const files = await Promise.all(
    inputs.map(async (bytes) => {
      const file = path.join(dir, `input-${n++}.mp4`);
      await writeFile(file, bytes);
      return file;
    }),
  );
  const t0 = Date.now();
  const results = await Promise.allSettled(files.map((f) => modality.decode({ id: f, path: f, label: 'fuzz' }, pre)));
  const ms = Date.now() - t0;
  seen.slowestMs = Math.max(seen.slowestMs, ms);
  await Promise.all(files.map((f) => rm(f, { force: true })));
  expect(ms).toBeLessThan(2 * TIMEOUT_MS + SLACK_MS); // the batch run, then each file alone
  for (const r of results) {
    seen.calls++;
    if (r.status === 'fulfilled') {
      seen.decoded++;
      expect(r.value).toBeInstanceOf(Float32Array);
      expect(r.value.length).toBe(8 * 28 * 28);
      expect(r.value.every((v) => v >= 0 && v <= 1)).toBe(true);
    } else {
      if (!(r.reason instanceof DataError))
        throw new Error(
          `decode threw something other than DataError: ${String((r.reason as Error)?.stack ?? r.reason)}`,
        );
      seen.dataError++;
      expect((r.reason as DataError).message).toContain(path.join(dir, 'input-'));
    }
  }
}

const clipIndex = (): fc.Arbitrary<number> => fc.nat({ max: 1_000 });

/** A real clip cut at a random length. */
const truncation = fc.tuple(clipIndex(), fc.double({ min: 0, max: 1, noNaN: true })).map(([c, f]) => {
  const clip = clips[c % clips.length]!;
  return clip.subarray(0, Math.floor(clip.length * f));
});

/** A real clip with 1-16 random bits flipped (anywhere: headers, index or frame data). */
const bitFlips = fc
  .tuple(
    clipIndex(),
    fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.nat({ max: 7 })), {
      minLength: 1,
      maxLength: 16,
    }),
  )
  .map(([c, flips]) => {
    const bytes = Buffer.from(clips[c % clips.length]!);
    for (const [at, bit] of flips) bytes[Math.floor(at * bytes.length)]! ^= 1 << bit;
    return bytes;
  });

/** A real clip with a run of random bytes written over it. */
const overwrite = fc
  .tuple(
    clipIndex(),
    fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    fc.uint8Array({ minLength: 1, maxLength: 256 }),
  )
  .map(([c, at, junk]) => {
    const bytes = Buffer.from(clips[c % clips.length]!);
    bytes.set(junk.subarray(0, bytes.length - Math.floor(at * bytes.length)), Math.floor(at * bytes.length));
    return bytes;
  });

const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };
const perTest = (runs: number): number => 60_000 + runs * 3 * (2 * TIMEOUT_MS + SLACK_MS);

describe('video decoding under fuzzing (sample or DataError, in time)', () => {
  it(
    'random bytes',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ minLength: 0, maxLength: 4096 }), { minLength: 3, maxLength: 3 }),
          decodeAll,
        ),
        settings,
      );
      expect(seen.calls).toBeGreaterThanOrEqual(3 * RUNS);
    },
    perTest(RUNS),
  );

  it(
    'truncated real clips',
    async () => {
      await fc.assert(fc.asyncProperty(fc.array(truncation, { minLength: 3, maxLength: 3 }), decodeAll), settings);
    },
    perTest(RUNS),
  );

  it(
    'real clips with bits flipped',
    async () => {
      const before = { ...seen };
      await fc.assert(fc.asyncProperty(fc.array(bitFlips, { minLength: 3, maxLength: 3 }), decodeAll), settings);
      // both outcomes occur: the inputs are neither all fatal nor all harmless
      expect(seen.decoded).toBeGreaterThan(before.decoded);
      expect(seen.dataError).toBeGreaterThan(before.dataError);
    },
    perTest(RUNS),
  );

  it(
    'real clips partly overwritten',
    async () => {
      await fc.assert(fc.asyncProperty(fc.array(overwrite, { minLength: 3, maxLength: 3 }), decodeAll), settings);
    },
    perTest(RUNS),
  );
});
