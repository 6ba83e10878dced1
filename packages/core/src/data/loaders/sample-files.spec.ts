import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSampleFile, listSampleFiles, samplePlaceholder } from './sample-files.js';

describe('sample files', () => {
  it('lists matching files at any depth, own files first, hidden ones skipped', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fewshot-sample-files-'));
    try {
      for (const f of ['b.wav', 'a.WAVE', 'c.txt', '.h.wav', 'sub/z.wav', 'sub/deeper/y.wav', 'a2/x.wav']) {
        await mkdir(join(root, f, '..'), { recursive: true });
        await writeFile(join(root, f), '');
      }
      const type = { kind: 'audio files', extensions: ['.wav', '.wave'] };
      expect(await listSampleFiles(root, type)).toEqual([
        'a.WAVE',
        'b.wav',
        'a2/x.wav',
        'sub/z.wav',
        'sub/deeper/y.wav',
      ]);
      expect(isSampleFile('x.Wav', type)).toBe(true);
      expect(isSampleFile('.wav', type)).toBe(false);
      expect(samplePlaceholder(type)).toBe('<audio files>');
      expect(samplePlaceholder({ ...type, placeholder: '<wav files>' })).toBe('<wav files>');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
