import { fitLength, trimSilence } from './trim-silence.js';

describe('trimSilence', () => {
  it('drops leading and trailing blocks more than topDb below the loudest, keeps inner silence', () => {
    const rate = 1000; // 10 ms blocks of 10 samples
    const x = new Float32Array(300);
    for (let i = 100; i < 150; i++) x[i] = 0.5; // tone 100..150
    for (let i = 200; i < 220; i++) x[i] = 0.5; // tone 200..220, silence between kept
    for (let i = 0; i < 100; i++) x[i] = 0.001; // -54 dB hum before
    const t = trimSilence(x, rate, 40);
    expect(t.length).toBe(120);
    expect(t[0]).toBe(0.5);
    expect(t[t.length - 1]).toBe(0.5);
    // at 60 dB the hum counts as sound
    expect(trimSilence(x, rate, 60).length).toBe(220);
  });

  it('leaves silence and a signal without silence as they are', () => {
    const zeros = new Float32Array(50);
    expect(trimSilence(zeros, 1000, 30)).toBe(zeros);
    const loud = new Float32Array(50).fill(0.3);
    expect(trimSilence(loud, 1000, 30).length).toBe(50);
  });
});

describe('fitLength', () => {
  it('crops the centre of longer signals and centres shorter ones between zeros', () => {
    const x = Float32Array.from({ length: 10 }, (_, i) => i + 1);
    expect([...fitLength(x, 4)]).toEqual([4, 5, 6, 7]);
    expect([...fitLength(x, 5)]).toEqual([3, 4, 5, 6, 7]);
    expect([...fitLength(x.subarray(0, 3), 8)]).toEqual([0, 0, 1, 2, 3, 0, 0, 0]);
    expect(fitLength(x, 10)).toBe(x);
  });
});
