import { audioPreprocessSchema } from './audio-preprocess.js';
import { deltas, extractFeatures, frameGeometry, type FeatureSettings } from './features.js';
import { PowerSpectrum } from './power-spectrum.js';

const settings = (over: Record<string, unknown> = {}): FeatureSettings => audioPreprocessSchema.parse(over);
const tone = (hz: number, rate: number, seconds: number, amp = 0.5): Float32Array =>
  Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

/** Centre frequencies of M HTK-mel triangles from 0 Hz to Nyquist, computed here from the mel formula. */
function melCentres(M: number, rate: number): number[] {
  const mel = (f: number): number => 1125 * Math.log(1 + f / 700);
  const hz = (m: number): number => 700 * (Math.exp(m / 1125) - 1);
  return Array.from({ length: M }, (_, j) => hz(((j + 1) * mel(rate / 2)) / (M + 1)));
}

/** Mean over frames of each coefficient of a [frames, K, 1] map. */
function meanOverFrames(x: Float32Array, K: number): number[] {
  const T = x.length / K;
  return Array.from({ length: K }, (_, k) => {
    let s = 0;
    for (let t = 0; t < T; t++) s += x[t * K + k]!;
    return s / T;
  });
}

describe('frameGeometry', () => {
  it('follows the window, hop and duration: 1 + floor((n - window) / hop) frames', () => {
    expect(frameGeometry({ sampleRate: 16000, windowMs: 25, hopMs: 10 }, 16000)).toEqual({
      window: 400,
      hop: 160,
      fftSize: 512,
      frames: 98,
    });
    expect(frameGeometry({ sampleRate: 8000, windowMs: 25, hopMs: 10 }, 8000)).toEqual({
      window: 200,
      hop: 80,
      fftSize: 256,
      frames: 98,
    });
    expect(frameGeometry({ sampleRate: 16000, windowMs: 32, hopMs: 16 }, 8000).frames).toBe(
      1 + Math.floor((8000 - 512) / 256),
    );
    expect(frameGeometry({ sampleRate: 16000, windowMs: 32, hopMs: 16 }, 8000).fftSize).toBe(512);
    expect(frameGeometry({ sampleRate: 16000, windowMs: 25, hopMs: 10 }, 399).frames).toBe(0);
  });

  it('gives as many feature frames as it says', () => {
    for (const [rate, seconds] of [
      [16000, 1],
      [8000, 0.5],
      [22050, 0.3],
    ] as const) {
      const s = settings({ sampleRate: rate });
      const x = extractFeatures(tone(440, rate, seconds), s);
      expect(x.length).toBe(frameGeometry(s, Math.round(rate * seconds)).frames * 13);
    }
  });
});

describe('extractFeatures', () => {
  it('puts a pure tone in the mel band of its frequency', () => {
    for (const [rate, hz] of [
      [16000, 1000],
      [16000, 3000],
      [8000, 500],
      [8000, 2500],
    ] as const) {
      const s = settings({ sampleRate: rate, features: 'logmel', melBands: 40, normalize: 'none', preemphasis: 0 });
      const bands = meanOverFrames(extractFeatures(tone(hz, rate, 0.5), s), 40);
      const loudest = bands.indexOf(Math.max(...bands));
      const centres = melCentres(40, rate);
      const nearest = centres.reduce((best, c, j) => (Math.abs(c - hz) < Math.abs(centres[best]! - hz) ? j : best), 0);
      expect(Math.abs(loudest - nearest)).toBeLessThanOrEqual(1);
      // and far bands hold much less energy (log scale: at least 5 nats below)
      expect(bands[nearest + 8 < 40 ? nearest + 8 : nearest - 8]!).toBeLessThan(bands[loudest]! - 5);
    }
  });

  it('gives finite values for silence, whatever the settings', () => {
    for (const over of [
      {},
      { normalize: 'none' },
      { normalize: 'mean' },
      { features: 'logmel' },
      { deltas: 2 },
      { coefficients: 40 },
    ]) {
      const x = extractFeatures(new Float32Array(16000), settings(over));
      expect(x.every(Number.isFinite)).toBe(true);
    }
  });

  it("gives meyda's values (Meyda.extract frame by frame) with the fast path", () => {
    const noise = Float32Array.from(
      { length: 4000 },
      (_, i) => 0.3 * Math.sin(i * 0.37) * Math.sin(i * 0.0123) + 0.05 * Math.cos(i * 1.7),
    );
    for (const over of [
      { sampleRate: 16000 },
      { sampleRate: 8000, windowMs: 32, hopMs: 8 },
      { sampleRate: 16000, features: 'logmel', melBands: 64 },
      { sampleRate: 16000, coefficients: 20, melBands: 26 },
    ]) {
      const fast = extractFeatures(noise, settings({ ...over, normalize: 'none', duration: 0.25 }));
      const ref = extractFeatures(noise, settings({ ...over, normalize: 'none', duration: 0.25, engine: 'meyda' }));
      expect(fast.length).toBe(ref.length);
      let err = 0;
      let top = 0;
      for (let i = 0; i < ref.length; i++) {
        err = Math.max(err, Math.abs(fast[i]! - ref[i]!));
        top = Math.max(top, Math.abs(ref[i]!));
      }
      expect(err / top).toBeLessThan(5e-4); // meyda holds frames and spectra in float32
    }
  });

  it("MFCC c0 is twice the sum of the log mel energies (meyda's DCT-II, scale 2)", () => {
    const x = tone(700, 16000, 0.2);
    const mfcc = extractFeatures(x, settings({ normalize: 'none' }));
    const logmel = extractFeatures(x, settings({ features: 'logmel', normalize: 'none' }));
    const frames = mfcc.length / 13;
    for (let t = 0; t < frames; t++) {
      let sum = 0;
      for (let j = 0; j < 40; j++) sum += logmel[t * 40 + j]!;
      expect(mfcc[t * 13]! / (2 * sum)).toBeCloseTo(1, 5);
    }
  });

  it('normalises every coefficient over the frames: mean 0, and unit variance with meanvar', () => {
    const x = Float32Array.from({ length: 8000 }, (_, i) => (Math.sin(i * 0.2) * (i % 1000)) / 1000);
    const mv = extractFeatures(x, settings({ duration: 0.5 }));
    const m = extractFeatures(x, settings({ duration: 0.5, normalize: 'mean' }));
    const T = mv.length / 13;
    for (let k = 0; k < 13; k++) {
      let s = 0;
      let ss = 0;
      let sm = 0;
      for (let t = 0; t < T; t++) {
        s += mv[t * 13 + k]!;
        ss += mv[t * 13 + k]! ** 2;
        sm += m[t * 13 + k]!;
      }
      expect(Math.abs(s / T)).toBeLessThan(1e-4);
      expect(ss / T).toBeCloseTo(1, 3);
      expect(Math.abs(sm / T)).toBeLessThan(1e-3);
    }
  });

  it('adds deltas and delta-deltas as channels', () => {
    const x = tone(440, 16000, 0.3);
    const plain = extractFeatures(x, settings({ normalize: 'none' }));
    const d2 = extractFeatures(x, settings({ normalize: 'none', deltas: 2 }));
    expect(d2.length).toBe(plain.length * 3);
    for (let i = 0; i < plain.length; i++) expect(d2[i * 3]).toBeCloseTo(plain[i]!, 3);
  });
});

describe('deltas', () => {
  it('gives the slope of a linear ramp (away from the edges) and 0 for constants', () => {
    const frames = 10;
    const src = Float64Array.from({ length: frames * 2 }, (_, i) => (i % 2 === 0 ? 3 * (i >> 1) : 7));
    const d = deltas(src, frames, 2);
    for (let t = 2; t < frames - 2; t++) {
      expect(d[t * 2]).toBeCloseTo(3, 10);
      expect(d[t * 2 + 1]).toBe(0);
    }
    expect(d[0]).toBeCloseTo((3 + 2 * 6) / 10, 10); // edges repeat the first frame
  });
});

describe('PowerSpectrum', () => {
  it('equals |DFT|^2 computed directly, and zero-pads short frames', () => {
    for (const n of [4, 16, 256]) {
      const x = Array.from({ length: n - 3 }, (_, i) => Math.sin(i * 1.3) + 0.1 * i);
      const out = new PowerSpectrum(n).compute(x, new Float64Array(n / 2));
      for (let k = 0; k < n / 2; k++) {
        let re = 0;
        let im = 0;
        x.forEach((v, t) => {
          re += v * Math.cos((2 * Math.PI * k * t) / n);
          im -= v * Math.sin((2 * Math.PI * k * t) / n);
        });
        expect(out[k]).toBeCloseTo(re * re + im * im, 6);
      }
    }
    expect(() => new PowerSpectrum(12)).toThrow(RangeError);
  });
});
