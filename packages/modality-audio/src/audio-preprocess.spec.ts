import { audioShape, audioPreprocessSchema } from './audio-preprocess.js';

const parse = (v: unknown): ReturnType<typeof audioPreprocessSchema.parse> => audioPreprocessSchema.parse(v);

describe('audio preprocessing settings', () => {
  it('fills defaults (13 MFCCs of 40 mel bands, 25/10 ms, 1 s at 16 kHz) and parses its own output to the same object', () => {
    const p = parse({});
    expect(p).toMatchObject({
      sampleRate: 16000,
      duration: 1,
      features: 'mfcc',
      coefficients: 13,
      melBands: 40,
      windowMs: 25,
      hopMs: 10,
      deltas: 0,
      normalize: 'meanvar',
      trimDb: 0,
    });
    expect(parse(p)).toEqual(p);
    const logmel = parse({ features: 'logmel', melBands: 64 });
    expect(logmel.coefficients).toBe(64);
    expect(parse(logmel)).toEqual(logmel);
  });

  it('gives the sample shape [time, coefficients, 1 + deltas]', () => {
    expect(audioShape(parse({}))).toEqual({ dims: [98, 13, 1], names: ['time', 'features', 'channels'] });
    expect(audioShape(parse({ sampleRate: 8000, duration: 0.5, coefficients: 20, deltas: 2 })).dims).toEqual([
      48, 20, 3,
    ]);
    expect(audioShape(parse({ features: 'logmel', melBands: 32, hopMs: 20 }))).toEqual({
      dims: [49, 32, 1],
      names: ['time', 'frequency', 'channels'],
    });
  });

  it('rejects settings that cannot work, naming the key', () => {
    expect(() => parse({ coefficients: 12 })).toThrow();
    expect(() => parse({ coefficients: 41 })).toThrow(/at most 40 MFCCs/);
    expect(() => parse({ coefficients: 30, melBands: 26 })).toThrow(/30 MFCCs need at least as many mel bands/);
    expect(() => parse({ features: 'logmel', coefficients: 13 })).toThrow(/one coefficient per mel band/);
    expect(() => parse({ duration: 0.05, windowMs: 100 })).toThrow(/does not fit/);
    expect(() => parse({ sampelRate: 8000 })).toThrow(/sampelRate/);
    expect(() => parse({ deltas: 3 })).toThrow();
    expect(() => parse({ hopMs: 0 })).toThrow(/hopMs/);
  });
});
