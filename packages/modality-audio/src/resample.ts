import { createRequire } from 'node:module';
import { DataError } from '@fewshot/core/plugin';

const require = createRequire(import.meta.url);

interface Src {
  simple(data: Float32Array): Float32Array;
  destroy(): void;
}
interface LibSamplerate {
  create(channels: number, inRate: number, outRate: number, options: { converterType: number }): Promise<Src>;
  ConverterType: Record<'SRC_SINC_BEST_QUALITY' | 'SRC_SINC_MEDIUM_QUALITY' | 'SRC_SINC_FASTEST', number>;
}
let loaded: LibSamplerate | undefined;
/**
 * libsamplerate (Erik de Castro Lopo's Secret Rabbit Code) compiled to WebAssembly, loaded on first use:
 * its 2 MB of JavaScript cost 0.13 s of CPU, at every start of fewshot when loaded with the plugin.
 */
function libsamplerate(): LibSamplerate {
  return (loaded ??= require('@alexanderolsen/libsamplerate-js') as LibSamplerate);
}

/** Band-limited sinc converters of libsamplerate, best to fastest (all keep >= 90% of the band). */
export const RESAMPLERS = ['sinc-best', 'sinc-medium', 'sinc-fastest'] as const;
export type Resampler = (typeof RESAMPLERS)[number];

const CONVERTER: Readonly<Record<Resampler, keyof LibSamplerate['ConverterType']>> = {
  'sinc-best': 'SRC_SINC_BEST_QUALITY',
  'sinc-medium': 'SRC_SINC_MEDIUM_QUALITY',
  'sinc-fastest': 'SRC_SINC_FASTEST',
};

/** Highest rate libsamplerate-js accepts, in and out. */
export const MAX_SAMPLE_RATE = 192_000;
/** Largest factor libsamplerate changes a rate by, up or down (SRC_MAX_RATIO). */
export const MAX_RATIO = 256;

/**
 * One converter per (from, to, quality): `create` compiles the wasm module each time (about 2 MB), so
 * reuse them, but keep only the most recently used few: files with many different rates (or corrupt
 * headers) must not pile converters up. An evicted converter is destroyed once no call is using it.
 */
interface Converter {
  readonly src: Promise<Src>;
  users: number;
  evicted: boolean;
}
const converters = new Map<string, Converter>();
/** Converters kept (a data set rarely has more than a couple of rates). */
export const MAX_CONVERTERS = 8;

function release(c: Converter): void {
  if (c.evicted && c.users === 0)
    c.src.then(
      (src) => src.destroy(),
      () => undefined,
    );
}

/**
 * Resample mono audio from `from` Hz to `to` Hz with libsamplerate's band-limited sinc interpolation
 * (`simple` API: the whole signal at once, delay compensated). Returns `samples` itself when the rates
 * are equal. The output has round(n * to / from) samples (give or take one).
 */
export async function resample(
  samples: Float32Array,
  from: number,
  to: number,
  quality: Resampler,
  path = 'audio',
): Promise<Float32Array> {
  if (from === to) return samples;
  if (!(from >= 1 && from <= MAX_SAMPLE_RATE)) {
    throw new DataError(`cannot resample ${path}: its sample rate ${from} Hz is outside 1..${MAX_SAMPLE_RATE} Hz`);
  }
  if (to / from > MAX_RATIO || from / to > MAX_RATIO) {
    throw new DataError(
      `cannot resample ${path} from ${from} Hz to ${to} Hz: libsamplerate changes the rate by a factor of at most ${MAX_RATIO} (a corrupt header?)`,
    );
  }
  const key = `${from}:${to}:${quality}`;
  let c = converters.get(key);
  if (c) {
    converters.delete(key); // re-inserted below: the map's order is least recently used first
  } else {
    const lib = libsamplerate();
    const src = lib
      .create(1, from, to, { converterType: lib.ConverterType[CONVERTER[quality]] })
      .catch((err: unknown) => {
        if (converters.get(key) === c) converters.delete(key);
        throw new DataError(
          `cannot resample ${path} from ${from} Hz to ${to} Hz: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
    c = { src, users: 0, evicted: false };
  }
  converters.set(key, c);
  for (const [k, old] of converters) {
    if (converters.size <= MAX_CONVERTERS) break;
    converters.delete(k);
    old.evicted = true;
    release(old);
  }
  c.users++;
  try {
    const src = await c.src;
    try {
      return src.simple(samples);
    } catch (err) {
      throw new DataError(
        `cannot resample ${path} from ${from} Hz to ${to} Hz: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  } finally {
    c.users--;
    release(c);
  }
}

/** The version of the libsamplerate-js package (for `fewshot plugins`). */
export function libsamplerateVersion(): string {
  return (require('@alexanderolsen/libsamplerate-js/package.json') as { version: string }).version;
}
