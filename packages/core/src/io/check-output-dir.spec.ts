import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { checkOutputDir } from './check-output-dir.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-outcheck-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A folder nothing can be created in: /sys for root (whom permissions do not stop), else a read-only folder. */
function unwritableFolder(base: string): string {
  if (process.getuid?.() === 0) return '/sys';
  const d = path.join(base, 'read-only');
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o555);
  return d;
}

describe('checkOutputDir', () => {
  it('accepts an existing folder and a missing one below a folder, creating nothing', async () => {
    await checkOutputDir(tmp, '--out');
    await checkOutputDir(path.join(tmp, 'new', 'deeper'), '--out');
    expect(existsSync(path.join(tmp, 'new'))).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('names a path that is a file', async () => {
    const f = path.join(tmp, 'model.txt');
    writeFileSync(f, 'x');
    const err = await checkOutputDir(f, '--out').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`--out ${f} is a file, not a folder`);
    await expect(checkOutputDir(path.join(f, 'sub'), '--out')).rejects.toThrow(
      `--out ${path.join(f, 'sub')}: a part of this path is a file, not a folder`,
    );
    rmSync(f);
  });

  it('names a folder that cannot be written', async () => {
    const target = path.join(unwritableFolder(tmp), 'fewshot-out');
    await expect(checkOutputDir(target, '--out')).rejects.toThrow(
      new RegExp(`^--out ${target} cannot be written .*: (permission denied|read-only file system)$`),
    );
  });
});
