/**
 * Cut leading and trailing silence by energy, as librosa's `effects.trim`: the signal is cut into blocks
 * of `blockMs`; blocks whose mean energy is more than `topDb` below the loudest block's count as silence;
 * what lies before the first and after the last loud block is dropped. Silence inside is kept, and so is
 * a signal without any energy (nothing to measure against). Returns a view of `samples`.
 */
export function trimSilence(samples: Float32Array, sampleRate: number, topDb: number, blockMs = 10): Float32Array {
  const block = Math.max(1, Math.round((blockMs * sampleRate) / 1000));
  const blocks = Math.ceil(samples.length / block);
  const energy = new Float64Array(blocks);
  let peak = 0;
  for (let b = 0; b < blocks; b++) {
    const end = Math.min(samples.length, (b + 1) * block);
    let e = 0;
    for (let i = b * block; i < end; i++) e += samples[i]! * samples[i]!;
    e /= end - b * block;
    energy[b] = e;
    if (e > peak) peak = e;
  }
  if (!(peak > 0)) return samples;
  const floor = peak * 10 ** (-topDb / 10);
  let first = 0;
  while (energy[first]! <= floor) first++;
  let last = blocks - 1;
  while (energy[last]! <= floor) last--;
  return samples.subarray(first * block, Math.min(samples.length, (last + 1) * block));
}

/**
 * Exactly `length` samples: the centre of a longer signal, or a shorter one centred between zeros
 * (the extra sample of an odd difference goes to the end). Returns a view when cropping.
 */
export function fitLength(samples: Float32Array, length: number): Float32Array {
  if (samples.length === length) return samples;
  if (samples.length > length) {
    const start = Math.floor((samples.length - length) / 2);
    return samples.subarray(start, start + length);
  }
  const out = new Float32Array(length);
  out.set(samples, Math.floor((length - samples.length) / 2));
  return out;
}
