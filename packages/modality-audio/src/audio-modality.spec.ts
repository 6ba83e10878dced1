import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DataError, Rng, SampleStore, LabeledSet, augmentSettings, type SampleRef } from '@fewshot/core';
import type { AudioPreprocess } from './audio-preprocess.js';
import { AudioModality } from './audio-modality.js';
import { encodeWav } from './encode-wav.js';

const modality = new AudioModality();
const parse = (v: unknown): AudioPreprocess => modality.preprocessSchema.parse(v);
const ref = (path: string): SampleRef => ({ id: path, path, label: 'x' });
const tone = (hz: number, rate: number, n: number, amp = 0.4): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-audio-modality-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function wav(name: string, bytes: Uint8Array): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, bytes);
  return file;
}

describe('AudioModality', () => {
  it('describes itself', () => {
    expect(modality.id).toBe('audio');
    expect(modality.layouts).toEqual(['folder', 'pattern']);
    expect(modality.defaultEncoder).toBe('audio-conv2d');
    expect(modality.sampleShape(parse({}))).toEqual({ dims: [98, 13, 1], names: ['time', 'features', 'channels'] });
    expect(modality.sampleShape(parse({ features: 'logmel', melBands: 32 })).names).toEqual([
      'time',
      'frequency',
      'channels',
    ]);
    expect(modality.storesAsUint8()).toBe(false);
    const info = modality.info();
    expect(info['resampler']).toMatch(/^libsamplerate-js \d+\.\d+\.\d+/);
    expect(info['features']).toMatch(/^meyda \d+\.\d+\.\d+/);
  });

  it('decodes any rate, width and channel count to the same features as the equivalent 16 kHz mono file', async () => {
    // a gliding, pulsing tone, so that the features change from frame to frame
    const glide = (rate: number): Float32Array =>
      Float32Array.from({ length: rate }, (_, i) => {
        const t = i / rate;
        return 0.4 * Math.sin(2 * Math.PI * (300 * t + 400 * t * t)) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
      });
    // sinc-best: its noise floor (about -140 dB) lies below the log floor of the features
    const pre = parse({ normalize: 'none', resampler: 'sinc-best' });
    const mono16 = await modality.decode(ref(await wav('a16.wav', encodeWav([glide(16000)], 16000, 'float32'))), pre);
    const g44 = glide(44100);
    const stereo44 = await modality.decode(ref(await wav('a44.wav', encodeWav([g44, g44], 44100, 'pcm24'))), pre);
    expect(mono16.length).toBe(98 * 13);
    expect(stereo44.length).toBe(98 * 13);
    let err = 0;
    let top = 0;
    for (let i = 2 * 13; i < mono16.length - 2 * 13; i++) {
      // the first and last two frames see the resampler's edges
      err = Math.max(err, Math.abs(mono16[i]! - stereo44[i]!));
      top = Math.max(top, Math.abs(mono16[i]!));
    }
    expect(err / top).toBeLessThan(1e-3);
  });

  it('crops long clips to their centre and centres short ones; trims silence first when asked', async () => {
    // 0.3 s of tone at the start of 2 s of silence
    const x = new Float32Array(32000);
    x.set(tone(1000, 16000, 4800));
    const file = await wav('late.wav', encodeWav([x], 16000, 'pcm16'));
    const plain = await modality.decode(ref(file), parse({ normalize: 'none' }));
    const trimmed = await modality.decode(ref(file), parse({ normalize: 'none', trimDb: 30 }));
    const energy = (f: Float32Array, t: number): number => f[t * 13]!; // c0 ~ log energy
    // without trimming the centre second of the file is silent; with it the tone sits in the middle
    expect(energy(plain, 49)).toBe(0);
    expect(energy(trimmed, 49)).toBeGreaterThan(100);
    expect(energy(trimmed, 5)).toBe(0);
  });

  it('throws DataErrors naming the file for bad audio, ConfigErrors for an unknown layout', async () => {
    const notWav = await wav('fake.wav', new TextEncoder().encode('ID3 this is an mp3'));
    await expect(modality.decode(ref(notWav), parse({}))).rejects.toThrow(DataError);
    await expect(modality.decode(ref(notWav), parse({}))).rejects.toThrow(`cannot decode ${notWav}: not a WAV file`);
    const truncated = await wav('cut.wav', encodeWav([tone(300, 8000, 800)], 8000, 'pcm16').subarray(0, 500));
    await expect(modality.decode(ref(truncated), parse({}))).rejects.toThrow(
      `cannot decode ${truncated}: truncated WAV data`,
    );
    await expect(modality.load({ name: 'data.train', path: dir, layout: 'folders', options: {} })).rejects.toThrow(
      "data.train.layout: the audio modality has no layout 'folders' (did you mean 'folder'?)",
    );
    await expect(modality.load({ name: 'data.train', path: dir, layout: 'xyz', options: {} })).rejects.toThrow(
      ConfigError,
    );
  });

  it('augments in place, reproducibly from the seed', async () => {
    const pre = parse({});
    const x = await modality.decode(ref(await wav('b.wav', encodeWav([tone(300, 16000, 16000)], 16000, 'pcm16'))), pre);
    const a = x.slice();
    const b = x.slice();
    const options = modality.augmentSchema.parse({ timeShift: 5, timeMasks: 1, freqMasks: 1 });
    modality.augment(a, pre, options, new Rng(3));
    modality.augment(b, pre, options, new Rng(3));
    expect(a).toEqual(b);
    expect(a).not.toEqual(x);
    expect(() => augmentSettings(modality, { timeShfit: 2 })).toThrow(/train\.augment/);
  });

  it('is stored exactly under storage auto, even when every value lies in [0, 1]', async () => {
    // features scaled into [0, 1] (say, by a subclass) must not be quantised to 1/255 steps as images are
    class UnitAudio extends AudioModality {
      override async decode(r: SampleRef): Promise<Float32Array> {
        return Float32Array.from({ length: 98 * 13 }, (_, i) => ((i * 37 + r.id.length) % 1000) / 999.5 + 1e-4);
      }
    }
    const set = new LabeledSet([ref('/x/a.wav'), ref('/x/bb.wav')].map((r, i) => ({ ...r, label: `c${i}` })));
    const decoded = await SampleStore.decode(set, new UnitAudio(), parse({}));
    expect(decoded.store.dtype).toBe('float32');
    expect(decoded.store.shape.names).toEqual(['time', 'features', 'channels']);
    const want = await new UnitAudio().decode(ref('/x/a.wav'));
    expect([...decoded.store.row(0)]).toEqual([...want]);
    expect(want.every((v) => v >= 0 && v <= 1)).toBe(true);
  });
});
