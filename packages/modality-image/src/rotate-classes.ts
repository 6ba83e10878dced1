import { ConfigError, LabeledSet, SampleStore, type DecodedSet, type SampleRef } from '@fewshot/core/plugin';

/** Quarter turns used by class augmentation: 90, 180 and 270 degrees clockwise. */
export const QUARTER_TURNS = [1, 2, 3] as const;

/**
 * Copy one square HWC image `src` into `dst` turned clockwise by `turns` quarter turns: the pixel
 * at (row y, column x) lands at (x, n-1-y) after one turn.
 */
export function rotateSquare<T extends Float32Array | Uint8Array>(
  src: T,
  dst: T,
  side: number,
  channels: number,
  turns: number,
): T {
  const n = side;
  const t = ((turns % 4) + 4) % 4;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let ry: number, rx: number;
      if (t === 0) [ry, rx] = [y, x];
      else if (t === 1) [ry, rx] = [x, n - 1 - y];
      else if (t === 2) [ry, rx] = [n - 1 - y, n - 1 - x];
      else [ry, rx] = [n - 1 - x, y];
      const s = (y * n + x) * channels;
      const d = (ry * n + rx) * channels;
      for (let k = 0; k < channels; k++) dst[d + k] = src[s + k]!;
    }
  }
  return dst;
}

/** Label of class `label` turned by `turns` quarter turns (`Greek/character01@rot90`). */
export function rotatedLabel(label: string, turns: number): string {
  return `${label}@rot${turns * 90}`;
}

/**
 * Class augmentation of a decoded training set (Santoro et al. 2016, Vinyals et al. 2016): every
 * class also appears turned by 90, 180 and 270 degrees, each turn a class of its own, so the set has
 * four times the classes and samples. Rotated samples keep the file path and attributes of their
 * source (plus `rotation`); rows are held in the same form (uint8 or float32) as the input store.
 */
export function rotateClasses(train: DecodedSet): DecodedSet {
  const dims = train.store.shape.dims;
  if (dims.length !== 3)
    throw new ConfigError(
      `train.augment.rotateClasses needs [height, width, channels] samples, got ${dims.join('x')} (${train.store.shape.names.join(', ')})`,
    );
  const [h, w, c] = dims as [number, number, number];
  if (h !== w) {
    throw new ConfigError(`train.augment.rotateClasses needs square inputs, but data.preprocess gives ${h}x${w}`, {
      hints: ['set data.preprocess.size, or switch rotateClasses off'],
    });
  }
  const source = new Map<string, { row: number; turns: number }>();
  const refs: SampleRef[] = [];
  train.set.samples.forEach((s, row) => {
    source.set(s.id, { row, turns: 0 });
    refs.push(s);
    for (const turns of QUARTER_TURNS) {
      const id = `${s.id}@rot${turns * 90}`;
      source.set(id, { row, turns });
      refs.push({
        id,
        path: s.path,
        label: rotatedLabel(s.label, turns),
        attrs: { ...(s.attrs ?? {}), rotation: String(turns * 90) },
      });
    }
  });
  const set = new LabeledSet(refs, `${train.set.source} with rotated classes`);
  const size = train.store.sampleSize;
  const src = train.store.data;
  const data = src instanceof Uint8Array ? new Uint8Array(set.size * size) : new Float32Array(set.size * size);
  set.samples.forEach((s, i) => {
    const { row, turns } = source.get(s.id)!;
    const from = src.subarray(row * size, (row + 1) * size);
    const to = data.subarray(i * size, (i + 1) * size);
    if (turns === 0) to.set(from);
    else rotateSquare(from, to, h, c, turns);
  });
  return { set, store: new SampleStore(train.store.shape, data), skipped: train.skipped };
}
