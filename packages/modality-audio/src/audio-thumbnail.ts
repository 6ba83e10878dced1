import type { SampleShape } from '@fewshot/core/plugin';

/** Stops of the colour ramp of spectrogram pictures (dark blue to yellow, as viridis), RGB 0-255. */
const RAMP = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
] as const;

function ramp(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * f)) as [number, number, number];
}

/**
 * A picture of a decoded audio sample ([time, features or frequency, channels]; its first channel):
 * time left to right, the lowest coefficient or band at the bottom, values scaled to their own
 * min..max and coloured dark to bright; rows repeated so it is at least `minHeight` pixels high.
 */
export function spectrogramPicture(
  features: Float32Array,
  shape: SampleShape,
  minHeight = 48,
): { width: number; height: number; channels: 3; data: Uint8Array } {
  const [frames, bins, channels] = [shape.dims[0]!, shape.dims[1]!, shape.dims[2] ?? 1];
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < frames; t++) {
    for (let f = 0; f < bins; f++) {
      const v = features[(t * bins + f) * channels]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const rep = Math.max(1, Math.ceil(minHeight / bins));
  const height = bins * rep;
  const data = new Uint8Array(frames * height * 3);
  for (let y = 0; y < height; y++) {
    const f = bins - 1 - Math.floor(y / rep);
    for (let t = 0; t < frames; t++) {
      const c = ramp((features[(t * bins + f) * channels]! - lo) / span);
      data.set(c, (y * frames + t) * 3);
    }
  }
  return { width: frames, height, channels: 3, data };
}
