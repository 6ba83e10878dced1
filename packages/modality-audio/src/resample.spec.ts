import { DataError } from '@fewshot/core/plugin';
import { MAX_CONVERTERS, resample } from './resample.js';

const tone = (hz: number, rate: number, n: number): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * hz * i) / rate));
/** Largest error against the ideal tone, away from the edges (the filter's ramp-up). */
function maxError(x: Float32Array, hz: number, rate: number, edge: number): number {
  let err = 0;
  for (let i = edge; i < x.length - edge; i++)
    err = Math.max(err, Math.abs(x[i]! - Math.sin((2 * Math.PI * hz * i) / rate)));
  return err;
}
function rms(x: Float32Array, edge: number): number {
  let s = 0;
  for (let i = edge; i < x.length - edge; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / (x.length - 2 * edge));
}

describe('resample (libsamplerate)', () => {
  it('hands the same array back at equal rates', async () => {
    const x = tone(440, 8000, 100);
    expect(await resample(x, 8000, 8000, 'sinc-best')).toBe(x);
  });

  it('keeps a tone in the pass band, in time (no delay), down and up', async () => {
    const down = await resample(tone(1000, 16000, 16000), 16000, 8000, 'sinc-fastest');
    expect(down.length).toBe(8000);
    expect(maxError(down, 1000, 8000, 100)).toBeLessThan(1e-3);
    const up = await resample(tone(1000, 8000, 8000), 8000, 16000, 'sinc-medium');
    expect(up.length).toBe(16000);
    expect(maxError(up, 1000, 16000, 200)).toBeLessThan(1e-4);
    const odd = await resample(tone(440, 44100, 44100), 44100, 16000, 'sinc-best');
    expect(Math.abs(odd.length - 16000)).toBeLessThanOrEqual(1);
    expect(maxError(odd, 440, 16000, 200)).toBeLessThan(1e-4);
  });

  it('is band-limited: a tone above the new Nyquist frequency is filtered out, not aliased', async () => {
    // 6 kHz at 16 kHz -> 8 kHz: linear interpolation or decimation would fold it to 2 kHz at full amplitude
    for (const q of ['sinc-fastest', 'sinc-medium', 'sinc-best'] as const) {
      const y = await resample(tone(6000, 16000, 16000), 16000, 8000, q);
      expect(rms(y, 200)).toBeLessThan(1e-3);
    }
    const naive = Float32Array.from({ length: 8000 }, (_, i) => Math.sin((2 * Math.PI * 6000 * 2 * i) / 16000));
    expect(rms(naive, 200)).toBeGreaterThan(0.5); // what plain decimation would give
  });

  it('rejects sample rates libsamplerate cannot take, naming the file', async () => {
    await expect(resample(new Float32Array(10), 400_000, 16000, 'sinc-fastest', 'odd.wav')).rejects.toThrow(
      'cannot resample odd.wav: its sample rate 400000 Hz is outside 1..192000 Hz',
    );
    // found by fuzzing: a header saying 1 Hz made libsamplerate fail with a bare RangeError
    await expect(resample(new Float32Array(10), 1, 16000, 'sinc-fastest', 'odd.wav')).rejects.toThrow(
      new DataError(
        'cannot resample odd.wav from 1 Hz to 16000 Hz: libsamplerate changes the rate by a factor of at most 256 (a corrupt header?)',
      ),
    );
    await expect(resample(new Float32Array(10), 192_000, 700, 'sinc-fastest', 'odd.wav')).rejects.toThrow(DataError);
  });

  it('keeps only a few converters: many rates (corrupt headers) do not pile them up, and evicted ones still finish their calls', async () => {
    const x = tone(440, 8000, 4000);
    const first = await resample(x, 8000, 16000, 'sinc-fastest');
    // calls in flight on the first converter while 3 x MAX_CONVERTERS other rates evict it
    const inFlight = [1, 2, 3].map(() => resample(x, 8000, 16000, 'sinc-fastest'));
    const others = Array.from({ length: 3 * MAX_CONVERTERS }, (_, k) => resample(x, 8001 + k, 16000, 'sinc-fastest'));
    for (const y of await Promise.all(inFlight)) expect(y).toEqual(first);
    for (const [k, y] of (await Promise.all(others)).entries())
      expect(Math.abs(y.length - Math.round((4000 * 16000) / (8001 + k)))).toBeLessThanOrEqual(1);
    // made again after its eviction, it gives the same result
    expect(await resample(x, 8000, 16000, 'sinc-fastest')).toEqual(first);
  });
});
