import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataError } from '../errors.js';
import { findFolderHolding, isJunkEntry, unpackZip } from './unpack-zip.js';
import { zipOf } from './test-support.js';

describe('unpackZip', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'fewshot-unzip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the files, leaving out macOS junk, and finds the folder holding a marker', async () => {
    const zip = path.join(dir, 'a.zip');
    writeFileSync(
      zip,
      await zipOf({
        'top-123/data/x/1.txt': Buffer.from('one'),
        'top-123/data/.DS_Store': Buffer.from('junk'),
        '__MACOSX/top-123/data/._1.txt': Buffer.from('junk'),
        'top-123/README': Buffer.from('readme'),
      }),
    );
    const out = path.join(dir, 'out');
    mkdirSync(out);
    expect(await unpackZip(zip, out)).toBe(2);
    expect(readFileSync(path.join(out, 'top-123/data/x/1.txt'), 'utf8')).toBe('one');
    expect(existsSync(path.join(out, '__MACOSX'))).toBe(false);
    expect(existsSync(path.join(out, 'top-123/data/.DS_Store'))).toBe(false);
    expect(await findFolderHolding(out, 'data')).toBe(path.join(out, 'top-123'));
    expect(await findFolderHolding(out, 'nowhere')).toBeUndefined();
    expect(isJunkEntry('a/._b.png')).toBe(true);
    expect(isJunkEntry('a/b.png')).toBe(false);
  });

  it('refuses an entry that would land outside the folder (zip slip)', async () => {
    // yazl will not write '../', so the same-length name is patched into the bytes
    const bytes = await zipOf({ 'aa/evil.txt': Buffer.from('x') });
    const patched = Buffer.from(bytes.toString('latin1').split('aa/evil.txt').join('../evil.txt'), 'latin1');
    const zip = path.join(dir, 'evil.zip');
    writeFileSync(zip, patched);
    const out = path.join(dir, 'out');
    mkdirSync(out);
    await expect(unpackZip(zip, out)).rejects.toThrow(DataError);
    expect(existsSync(path.join(dir, 'evil.txt'))).toBe(false);
  });

  it('names an archive that is not a zip', async () => {
    const zip = path.join(dir, 'bad.zip');
    writeFileSync(zip, 'not a zip at all');
    await expect(unpackZip(zip, dir)).rejects.toThrow(`cannot read zip archive ${zip}`);
  });
});
