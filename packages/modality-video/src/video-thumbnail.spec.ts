import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '@fewshot/core/plugin';
import { makeClip } from './test-support.js';
import { VideoModality } from './video-modality.js';
import { videoPreprocessSchema } from './video-preprocess.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fewshot-video-thumb-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('VideoModality.thumbnail', () => {
  it("is the clip's last frame at 96x96, as stored (not inverted)", async () => {
    const clip = join(dir, 'ramp.mp4');
    // 6 flat frames: frame i at grey 40 * i + 20 (the last one 220)
    await makeClip(clip, 6, 16, (i) => 40 * i + 20);
    const video = new VideoModality();
    const pic = await video.thumbnail({ id: 'ramp', path: clip, label: 'x' }, videoPreprocessSchema.parse({}));
    expect([pic.width, pic.height, pic.channels, pic.data.length]).toEqual([96, 96, 1, 96 * 96]);
    const mean = pic.data.reduce((a, b) => a + b, 0) / pic.data.length;
    expect(Math.abs(mean - 220)).toBeLessThan(3);
  });

  it('throws DataError naming a missing file', async () => {
    const missing = join(dir, 'missing.mp4');
    await expect(
      new VideoModality().thumbnail({ id: 'm', path: missing, label: 'x' }, videoPreprocessSchema.parse({})),
    ).rejects.toThrow(DataError);
  });
});
