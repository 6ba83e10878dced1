import { Writable } from 'node:stream';
import { StreamByteProgress, formatBytes } from './byte-progress.js';

function sink(isTTY: boolean): Writable & { isTTY: boolean; text: string } {
  const w = new Writable({
    write(chunk, _e, cb) {
      (w as unknown as { text: string }).text += String(chunk);
      cb();
    },
  }) as Writable & { isTTY: boolean; text: string };
  w.text = '';
  w.isTTY = isTTY;
  return w;
}

describe('StreamByteProgress', () => {
  it('redraws a bar with bytes, percentage, rate and ETA in place on a TTY', () => {
    const out = sink(true);
    const task = new StreamByteProgress(out, 0).start('x.zip', 2_000_000, 500_000);
    task.update(1_000_000);
    task.done();
    const lines = out.text.split('\r\x1b[K').filter(Boolean);
    expect(lines[0]).toMatch(/^x\.zip \[##########\.{10}\] 1\.00 MB of 2\.00 MB 50% .*B\/s( ETA .+)?$/);
    expect(lines.at(-1)).toMatch(/^x\.zip \[#+\.*\] 1\.00 MB of 2\.00 MB 50% .*B\/s in .+s\n$/);
  });

  it('writes plain lines without a bar when not a TTY', () => {
    const out = sink(false);
    const task = new StreamByteProgress(out, 0).start('x.zip', undefined, 0);
    task.update(2048);
    task.done();
    expect(out.text).not.toContain('\r');
    expect(out.text.split('\n').filter(Boolean)).toEqual([
      expect.stringMatching(/^x\.zip 2\.05 kB .*\/s$/),
      expect.stringMatching(/^x\.zip 2\.05 kB .*\/s in .*s$/),
    ]);
  });

  it('formats byte counts in decimal units', () => {
    expect([formatBytes(512), formatBytes(1500), formatBytes(9_464_212), formatBytes(1.2e9)]).toEqual([
      '512 B',
      '1.50 kB',
      '9.46 MB',
      '1.20 GB',
    ]);
  });
});
