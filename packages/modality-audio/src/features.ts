import { meydaFilterBank, meydaFrame } from './meyda-mel.js';
import { PowerSpectrum } from './power-spectrum.js';

/** What `extractFeatures` computes (the feature part of `data.preprocess`). */
export interface FeatureSettings {
  readonly sampleRate: number;
  /** `mfcc`: cepstral coefficients; `logmel`: the log mel energies themselves. */
  readonly features: 'mfcc' | 'logmel';
  /** MFCCs kept (mfcc), or = melBands (logmel). */
  readonly coefficients: number;
  readonly melBands: number;
  readonly windowMs: number;
  readonly hopMs: number;
  /** Pre-emphasis factor a of y[n] = x[n] - a x[n-1] (0 = none). */
  readonly preemphasis: number;
  /** 0: static features only; 1: + deltas; 2: + deltas and delta-deltas (as channels). */
  readonly deltas: 0 | 1 | 2;
  /** Per-utterance normalisation of every coefficient over the frames. */
  readonly normalize: 'none' | 'mean' | 'meanvar';
  /** `fast`: typed-array FFT, meyda's filter bank and formulas; `meyda`: Meyda.extract frame by frame (reference, slow). */
  readonly engine: 'fast' | 'meyda';
}

/** Samples per window and hop, FFT size and frame count for a signal of `samples` samples. */
export interface FrameGeometry {
  readonly window: number;
  readonly hop: number;
  /** The window length rounded up to a power of two (frames are zero-padded to it). */
  readonly fftSize: number;
  /** 1 + floor((samples - window) / hop): frames that fit wholly in the signal (no padding at the ends). */
  readonly frames: number;
}

export function frameGeometry(
  s: Pick<FeatureSettings, 'sampleRate' | 'windowMs' | 'hopMs'>,
  samples: number,
): FrameGeometry {
  const window = Math.max(2, Math.round((s.windowMs * s.sampleRate) / 1000));
  const hop = Math.max(1, Math.round((s.hopMs * s.sampleRate) / 1000));
  let fftSize = 2;
  while (fftSize < window) fftSize *= 2;
  const frames = samples >= window ? 1 + Math.floor((samples - window) / hop) : 0;
  return { window, hop, fftSize, frames };
}

/**
 * Int16 full scale. Meyda's mel energies are log(1 + E): on signals in [-1, 1] most speech energies
 * are below 1, where log(1 + E) ~ E is not a log at all, so samples are scaled to the 16-bit range
 * first; log(1 + E) is then log E with a floor at one 16-bit step.
 */
export const SIGNAL_SCALE = 32768;

const windows = new Map<number, Float64Array>();
/** Periodic Hann window of `n` samples. */
export function hannWindow(n: number): Float64Array {
  let w = windows.get(n);
  if (!w) {
    w = new Float64Array(n);
    for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
    windows.set(n, w);
  }
  return w;
}

const spectra = new Map<number, PowerSpectrum>();
const dcts = new Map<string, Float64Array>();
/** Rows k < count of meyda's DCT (the `dct` package): c_k = 2 * sum_n x_n cos(pi / N * (n + 0.5) * k). */
function dctMatrix(count: number, n: number): Float64Array {
  const key = `${count}:${n}`;
  let m = dcts.get(key);
  if (!m) {
    m = new Float64Array(count * n);
    for (let k = 0; k < count; k++)
      for (let i = 0; i < n; i++) m[k * n + i] = 2 * Math.cos((Math.PI / n) * (i + 0.5) * k);
    dcts.set(key, m);
  }
  return m;
}

/**
 * MFCC or log-mel features of a mono signal at `s.sampleRate`: pre-emphasis, frames of `windowMs` every
 * `hopMs` with a periodic Hann window, zero-padded to a power-of-two FFT, meyda's mel filter bank and
 * log(1 + E) (see SIGNAL_SCALE), and for MFCC meyda's DCT; then optional deltas and per-utterance
 * normalisation. Returns [frames, coefficients, 1 + deltas] values in HWC order (frame-major).
 */
export function extractFeatures(signal: Float32Array, s: FeatureSettings): Float32Array {
  const g = frameGeometry(s, signal.length);
  if (g.frames === 0)
    throw new RangeError(`a signal of ${signal.length} samples is shorter than one ${g.window}-sample window`);
  const K = s.features === 'mfcc' ? s.coefficients : s.melBands;
  const statics = new Float64Array(g.frames * K);
  const x = preemphasise(signal, s.preemphasis);
  const win = hannWindow(g.window);
  const frame = new Float64Array(g.fftSize);
  if (s.engine === 'meyda') {
    const f32 = new Float32Array(g.fftSize);
    for (let t = 0; t < g.frames; t++) {
      const off = t * g.hop;
      for (let i = 0; i < g.window; i++) f32[i] = x[off + i]! * win[i]!;
      const v = meydaFrame(s.features, f32, s.melBands, K, s.sampleRate);
      for (let k = 0; k < K; k++) statics[t * K + k] = v[k]!;
    }
  } else {
    let spectrum = spectra.get(g.fftSize);
    if (!spectrum) spectra.set(g.fftSize, (spectrum = new PowerSpectrum(g.fftSize)));
    const bank = meydaFilterBank(s.melBands, s.sampleRate, g.fftSize);
    const dct = s.features === 'mfcc' ? dctMatrix(K, s.melBands) : undefined;
    const power = new Float64Array(g.fftSize / 2);
    const mel = new Float64Array(s.melBands);
    const M = s.melBands;
    for (let t = 0; t < g.frames; t++) {
      const off = t * g.hop;
      for (let i = 0; i < g.window; i++) frame[i] = x[off + i]! * win[i]!;
      spectrum.compute(frame, power);
      for (let j = 0; j < M; j++) {
        const w = bank.weights[j]!;
        const b0 = bank.start[j]!;
        let e = 0;
        for (let i = 0; i < w.length; i++) e += w[i]! * power[b0 + i]!;
        mel[j] = Math.log(e + 1);
      }
      const row = t * K;
      if (dct) {
        for (let k = 0; k < K; k++) {
          let c = 0;
          const d = k * M;
          for (let j = 0; j < M; j++) c += dct[d + j]! * mel[j]!;
          statics[row + k] = c;
        }
      } else {
        for (let k = 0; k < K; k++) statics[row + k] = mel[k]!;
      }
    }
  }
  return assemble(statics, g.frames, K, s.deltas, s.normalize);
}

/** The pre-emphasised signal at the 16-bit scale (a fresh Float64Array). */
function preemphasise(signal: Float32Array, a: number): Float64Array {
  const out = new Float64Array(signal.length);
  let prev = 0;
  for (let i = 0; i < signal.length; i++) {
    const v = signal[i]!;
    out[i] = (v - a * prev) * SIGNAL_SCALE;
    prev = v;
  }
  return out;
}

/**
 * Regression deltas over +-2 frames (HTK: d_t = sum_k k (c_{t+k} - c_{t-k}) / (2 sum_k k^2)), edge frames
 * repeated. `src` and the result are [frames, K].
 */
export function deltas(src: Float64Array, frames: number, K: number): Float64Array {
  const out = new Float64Array(src.length);
  const at = (t: number, k: number): number => src[Math.min(frames - 1, Math.max(0, t)) * K + k]!;
  for (let t = 0; t < frames; t++) {
    for (let k = 0; k < K; k++) out[t * K + k] = (at(t + 1, k) - at(t - 1, k) + 2 * (at(t + 2, k) - at(t - 2, k))) / 10;
  }
  return out;
}

/** Statics (+ deltas) interleaved as channels, then normalised per coefficient and channel. */
function assemble(
  statics: Float64Array,
  frames: number,
  K: number,
  order: 0 | 1 | 2,
  normalize: FeatureSettings['normalize'],
): Float32Array {
  const planes = [statics];
  for (let d = 0; d < order; d++) planes.push(deltas(planes[d]!, frames, K));
  const C = planes.length;
  const out = new Float32Array(frames * K * C);
  for (let c = 0; c < C; c++) {
    const p = planes[c]!;
    for (let k = 0; k < K; k++) {
      let mean = 0;
      let scale = 1;
      if (normalize !== 'none') {
        for (let t = 0; t < frames; t++) mean += p[t * K + k]!;
        mean /= frames;
        if (normalize === 'meanvar') {
          let ss = 0;
          for (let t = 0; t < frames; t++) ss += (p[t * K + k]! - mean) ** 2;
          const std = Math.sqrt(ss / frames);
          scale = std > 1e-6 ? 1 / std : 1;
        }
      }
      for (let t = 0; t < frames; t++) out[(t * K + k) * C + c] = (p[t * K + k]! - mean) * scale;
    }
  }
  return out;
}
