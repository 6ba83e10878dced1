import { sampleShape } from '@fewshot/core/plugin';
import { spectrogramPicture } from './audio-thumbnail.js';

describe('spectrogramPicture', () => {
  it('draws time left to right, the lowest band at the bottom, brighter for larger values', () => {
    // 3 frames x 2 bands x 2 channels; channel 0: band 0 = 0 everywhere, band 1 = the frame index
    const shape = sampleShape([3, 2, 2], ['time', 'features', 'channels']);
    const f = new Float32Array([0, 9, 0, 9, 0, 9, 1, 9, 0, 9, 2, 9]);
    const pic = spectrogramPicture(f, shape, 4);
    expect([pic.width, pic.height, pic.channels]).toEqual([3, 4, 3]);
    const px = (x: number, y: number): number[] => [...pic.data.subarray((y * 3 + x) * 3, (y * 3 + x) * 3 + 3)];
    // rows 0-1: band 1 (top), rows 2-3: band 0 (bottom, all at the minimum)
    expect(px(0, 3)).toEqual(px(2, 3));
    expect(px(0, 0)).toEqual(px(0, 3)); // band 1 at frame 0 is 0 too
    expect(px(2, 0)).toEqual([253, 231, 37]); // the maximum: brightest
    expect(px(0, 3)).toEqual([68, 1, 84]); // the minimum: darkest
    const brightness = (c: number[]): number => c.reduce((a, b) => a + b, 0);
    expect(brightness(px(1, 1))).toBeGreaterThan(brightness(px(0, 1)));
    expect(brightness(px(2, 1))).toBeGreaterThan(brightness(px(1, 1)));
  });

  it('draws a constant map in one colour', () => {
    const pic = spectrogramPicture(
      new Float32Array(8).fill(3),
      sampleShape([4, 2, 1], ['time', 'features', 'channels']),
      1,
    );
    expect([pic.width, pic.height]).toEqual([4, 2]);
    expect(new Set(Array.from({ length: 8 }, (_, i) => pic.data.subarray(i * 3, i * 3 + 3).join(','))).size).toBe(1);
  });
});
