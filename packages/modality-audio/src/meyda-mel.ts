import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The parts of meyda's (CommonJS, global-settings) default export used here. */
interface MeydaGlobal {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank?: number[][] | undefined;
  barkScale?: Float32Array | undefined;
  extract(feature: 'mfcc' | 'melBands', signal: Float32Array): number[] | null;
}
const Meyda = require('meyda') as MeydaGlobal;

/**
 * Configure meyda's global settings for one extraction. Meyda recomputes its cached mel filter bank only
 * when the buffer size or band count changes, not when the sample rate does, so the cache is cleared
 * whenever anything differs from the last call.
 */
function configure(melBands: number, coefficients: number, sampleRate: number, fftSize: number): MeydaGlobal {
  if (Meyda.bufferSize !== fftSize || Meyda.sampleRate !== sampleRate || Meyda.melBands !== melBands) {
    Meyda.melFilterBank = undefined;
    Meyda.barkScale = undefined;
  }
  Meyda.bufferSize = fftSize;
  Meyda.sampleRate = sampleRate;
  Meyda.melBands = melBands;
  Meyda.numberOfMFCCCoefficients = coefficients;
  // frames arrive already windowed (and zero-padded to the FFT size), so meyda must not window them again
  Meyda.windowingFunction = 'rect';
  return Meyda;
}

/** Meyda's mel filter bank as sparse rows: filter j has weights `w[j]` on FFT bins `start[j]`.. (bins < fftSize/2, as meyda uses). */
export interface SparseFilterBank {
  readonly start: Int32Array;
  readonly weights: readonly Float64Array[];
}

const banks = new Map<string, SparseFilterBank>();

/**
 * Meyda's triangular mel filter bank (HTK mel scale, 0 Hz to Nyquist, peak 1) for the given settings,
 * taken from meyda itself (it builds the bank on its first extraction) and stored sparsely.
 */
export function meydaFilterBank(melBands: number, sampleRate: number, fftSize: number): SparseFilterBank {
  const key = `${melBands}:${sampleRate}:${fftSize}`;
  let bank = banks.get(key);
  if (bank) return bank;
  const m = configure(melBands, Math.min(melBands, 13), sampleRate, fftSize);
  m.extract('melBands', new Float32Array(fftSize));
  const dense = m.melFilterBank;
  if (!dense || dense.length !== melBands)
    throw new Error(`meyda built ${dense?.length} mel filters, ${melBands} expected`);
  const half = fftSize / 2;
  const start = new Int32Array(melBands);
  const weights = dense.map((row, j) => {
    let lo = 0;
    while (lo < half && row[lo] === 0) lo++;
    let hi = half;
    while (hi > lo && row[hi - 1] === 0) hi--;
    start[j] = lo;
    return Float64Array.from(row.slice(lo, hi));
  });
  bank = { start, weights };
  banks.set(key, bank);
  return bank;
}

/**
 * Meyda's own per-frame extraction (`Meyda.extract`) of one windowed frame of `fftSize` samples: the
 * `mfcc` (first `coefficients` of 2 * DCT-II of log(1 + mel energies)) or the log `melBands`. The
 * reference the fast path (`extractFeatures`) is tested against; about 20x slower.
 */
export function meydaFrame(
  kind: 'mfcc' | 'logmel',
  frame: Float32Array,
  melBands: number,
  coefficients: number,
  sampleRate: number,
): number[] {
  const m = configure(melBands, coefficients, sampleRate, frame.length);
  const out = m.extract(kind === 'mfcc' ? 'mfcc' : 'melBands', frame);
  if (!out) throw new Error('meyda returned no features');
  return out;
}

/** The version of the meyda package (for `fewshot plugins`). */
export function meydaVersion(): string {
  return (require('meyda/package.json') as { version: string }).version;
}
