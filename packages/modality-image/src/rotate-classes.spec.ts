import { ConfigError, LabeledSet, SampleStore, augmentSettings, sampleShape, type DecodedSet } from '@fewshot/core';
import { affineAugmentSchema } from './affine-augment.js';
import { ImageModality } from './image-modality.js';
import { rotateClasses, rotateSquare } from './rotate-classes.js';

/** A decoded set of `classes` x 2 samples of side x side x channels; sample k holds k*1000 + position. */
function decodedSet(classes: number, side: number, channels: number, dtype: 'float32' | 'uint8'): DecodedSet {
  const refs = [];
  for (let c = 0; c < classes; c++) {
    for (let d = 0; d < 2; d++)
      refs.push({
        id: `a/c${c}/${d}.png`,
        path: `/data/a/c${c}/${d}.png`,
        label: `a/c${c}`,
        attrs: { alphabet: 'a', drawer: String(d) },
      });
  }
  const set = new LabeledSet(refs, 'toy');
  const size = side * side * channels;
  const data = dtype === 'uint8' ? new Uint8Array(set.size * size) : new Float32Array(set.size * size);
  for (let i = 0; i < set.size; i++)
    for (let j = 0; j < size; j++) data[i * size + j] = dtype === 'uint8' ? (i * 7 + j) % 256 : i * 1000 + j;
  return {
    set,
    store: new SampleStore(sampleShape([side, side, channels], ['height', 'width', 'channels']), data),
    skipped: [],
  };
}

describe('rotateSquare', () => {
  it('turns a 3x3 image clockwise by quarter turns', () => {
    const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const turn = (t: number): number[] => [...rotateSquare(src, new Float32Array(9), 3, 1, t)];
    expect(turn(0)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(turn(1)).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    expect(turn(2)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(turn(3)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7]);
  });

  it('keeps the channels of a pixel together, and four turns give the image back', () => {
    const src = Float32Array.from({ length: 5 * 5 * 3 }, (_, i) => i);
    let x = src;
    for (let t = 0; t < 4; t++) x = rotateSquare(x, new Float32Array(x.length), 5, 3, 1);
    expect([...x]).toEqual([...src]);
    const once = rotateSquare(src, new Float32Array(src.length), 5, 3, 1);
    // top-left pixel (0,0) lands at the top-right (0,4), channels in order
    expect([...once.subarray(4 * 3, 4 * 3 + 3)]).toEqual([0, 1, 2]);
  });
});

describe('rotateClasses', () => {
  it.each(['uint8', 'float32'] as const)('makes four classes of each class, rows matching the set (%s)', (dtype) => {
    const train = decodedSet(3, 4, 1, dtype);
    const out = rotateClasses(train);
    expect(out.set.classes).toHaveLength(12);
    expect(out.set.size).toBe(24);
    expect(out.store.count).toBe(24);
    expect(out.store.dtype).toBe(dtype);
    expect(out.set.classes).toContain('a/c1@rot270');
    for (let i = 0; i < out.set.size; i++) {
      const ref = out.set.samples[i]!;
      const base = ref.id.replace(/@rot\d+$/, '');
      const srcRow = train.set.samples.findIndex((s) => s.id === base);
      const turns = Number(ref.attrs?.rotation ?? 0) / 90;
      const expected = rotateSquare(train.store.row(srcRow), new Float32Array(16), 4, 1, turns);
      expect([...out.store.row(i)]).toEqual([...expected]);
      expect(ref.path).toBe(train.set.samples[srcRow]!.path);
      expect(ref.attrs?.drawer).toBe(train.set.samples[srcRow]!.attrs?.drawer);
    }
  });

  it('refuses non-square inputs with a ConfigError naming the setting', () => {
    const set = new LabeledSet([{ id: 'x', path: '/x', label: 'a' }]);
    const train: DecodedSet = {
      set,
      store: new SampleStore(sampleShape([2, 3, 1], ['height', 'width', 'channels']), new Float32Array(6)),
      skipped: [],
    };
    expect(() => rotateClasses(train)).toThrow(ConfigError);
    expect(() => rotateClasses(train)).toThrow(/rotateClasses needs square inputs, but data.preprocess gives 2x3/);
  });
});

describe('ImageModality.augmentClasses', () => {
  const modality = new ImageModality();
  const pre = modality.preprocessSchema.parse({ size: 4 });
  const aug = (v: Record<string, unknown>) => modality.augmentSchema.parse(v);
  it('rotates only when train.augment.rotateClasses is true (with or without affine distortions)', () => {
    const train = decodedSet(2, 4, 1, 'uint8');
    expect(modality.augmentClasses(train, pre, aug({}))).toBe(train);
    expect(modality.augmentClasses(train, pre, aug({ affine: true }))).toBe(train);
    expect(modality.augmentClasses(train, pre, aug({ rotateClasses: true })).set.classes).toHaveLength(8);
    expect(modality.augmentClasses(train, pre, aug({ affine: true, rotateClasses: true })).set.classes).toHaveLength(8);
  });

  it('still refuses distortion settings without affine', () => {
    expect(() => affineAugmentSchema.parse({ rotateClasses: true })).not.toThrow();
    expect(() => augmentSettings(modality, { rotateClasses: true, rotation: 5 })).toThrow(/train\.augment\.affine/);
  });
});
