import { resampleWeights, resizeArea } from './resize-area.js';

/** Brute-force area average: split every input pixel into f x f sub-pixels and average per output box. */
function referenceArea(src: Float32Array, h: number, w: number, oh: number, ow: number, f: number): number[] {
  const sums = new Float64Array(oh * ow);
  const counts = new Float64Array(oh * ow);
  for (let y = 0; y < h * f; y++) {
    for (let x = 0; x < w * f; x++) {
      // the sub-pixel's centre, in input pixels, decides its output box
      const oy = Math.floor(((y + 0.5) / f) * (oh / h));
      const ox = Math.floor(((x + 0.5) / f) * (ow / w));
      sums[oy * ow + ox] += src[Math.floor(y / f) * w + Math.floor(x / f)] as number;
      counts[oy * ow + ox] += 1;
    }
  }
  return [...sums].map((s, i) => s / (counts[i] as number));
}

function checker(n: number, cell: number): Float32Array {
  return Float32Array.from({ length: n * n }, (_, i) => (Math.floor(i / n / cell) + Math.floor((i % n) / cell)) % 2);
}

function mean(a: Float32Array): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

describe('resizeArea', () => {
  it('maps a 4x4 pixel checker to 2x2 of 0.5 and a 2x2-cell checker to 0/1', () => {
    expect([...resizeArea(checker(4, 1), 4, 4, 1, 2, 2)]).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect([...resizeArea(checker(4, 2), 4, 4, 1, 2, 2)]).toEqual([0, 1, 1, 0]);
  });

  it('weights partial coverage by area (4 -> 3: thirds of pixels)', () => {
    const w = resampleWeights(4, 3);
    expect([...w.start]).toEqual([0, 2, 4, 6]);
    expect([...w.index]).toEqual([0, 1, 1, 2, 2, 3]);
    expect([...w.weight].map((v) => v.toFixed(4))).toEqual([
      '0.7500',
      '0.2500',
      '0.5000',
      '0.5000',
      '0.2500',
      '0.7500',
    ]);
    const out = resizeArea(checker(4, 1), 4, 4, 1, 3, 3);
    // corner box: 0.75*0.75*0 + 2*0.75*0.25*1 + 0.25*0.25*0 = 0.375
    expect(out[0]).toBeCloseTo(0.375, 6);
    expect(out[4]).toBeCloseTo(0.5, 6);
    const ref = referenceArea(checker(4, 1), 4, 4, 3, 3, 3);
    ref.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('matches a brute-force area average on 105 -> 28 and preserves the mean', () => {
    let s = 1;
    const src = Float32Array.from({ length: 105 * 105 }, () => (s = (s * 16807) % 2147483647) / 2147483647);
    const out = resizeArea(src, 105, 105, 1, 28, 28);
    expect(out.length).toBe(28 * 28);
    expect(mean(out)).toBeCloseTo(mean(src), 5);
    const ref = referenceArea(src, 105, 105, 28, 28, 4); // 105 * 4 / 28 = 15 sub-pixels per output
    for (let i = 0; i < ref.length; i += 37) expect(out[i]).toBeCloseTo(ref[i] as number, 5);
  });

  it('keeps channels apart (HWC)', () => {
    const src = Float32Array.from({ length: 4 * 4 * 3 }, (_, i) => [0.1, 0.5, 0.9][i % 3] as number);
    const out = resizeArea(src, 4, 4, 3, 2, 2);
    expect([...out].map((v) => v.toFixed(3))).toEqual(Array(4).fill(['0.100', '0.500', '0.900']).flat());
  });

  it('enlarges bilinearly (pixel centres aligned) and resizes each axis its own way', () => {
    expect([...resizeArea(Float32Array.of(0, 1), 1, 2, 1, 1, 4)]).toEqual([0, 0.25, 0.75, 1]);
    // 2x4 -> 4x2: columns averaged in pairs, rows interpolated
    const out = resizeArea(Float32Array.of(0, 0, 1, 1, 1, 1, 1, 1), 2, 4, 1, 4, 2);
    expect([...out]).toEqual([0, 1, 0.25, 1, 0.75, 1, 1, 1]);
  });

  it('returns the input unchanged for the same size and rejects a wrong length', () => {
    const src = Float32Array.of(1, 2, 3, 4);
    expect(resizeArea(src, 2, 2, 1, 2, 2)).toBe(src);
    expect(() => resizeArea(src, 3, 3, 1, 2, 2)).toThrow(RangeError);
  });
});
