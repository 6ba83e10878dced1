import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recoverDir, writeDirAtomic, writeFileAtomic } from './atomic-write.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (p: string): string => readFileSync(p, 'utf8');

describe('writeFileAtomic', () => {
  it('creates the folder, writes text and bytes, replaces a file and leaves no temporary', async () => {
    const f = path.join(tmp, 'files', 'a', 'x.json');
    await writeFileAtomic(f, 'old');
    await writeFileAtomic(f, new Uint8Array([110, 101, 119]));
    expect(read(f)).toBe('new');
    expect(readdirSync(path.dirname(f))).toEqual(['x.json']);
  });
});

describe('writeDirAtomic', () => {
  it('replaces a folder as a unit: only what fill wrote is there', async () => {
    const d = path.join(tmp, 'whole');
    await writeDirAtomic(d, async (t) => writeFileSync(path.join(t, 'a.txt'), '1'));
    await writeDirAtomic(d, async (t) => writeFileSync(path.join(t, 'b.txt'), '2'));
    expect(readdirSync(d)).toEqual(['b.txt']);
    expect(readdirSync(tmp).filter((n) => n.startsWith('whole.'))).toEqual([]);
  });

  it('keeps the old folder untouched when fill throws, and removes its temporary folder', async () => {
    const d = path.join(tmp, 'failing');
    await writeDirAtomic(d, async (t) => writeFileSync(path.join(t, 'model.json'), 'old'));
    await expect(
      writeDirAtomic(d, async (t) => {
        writeFileSync(path.join(t, 'model.json'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(read(path.join(d, 'model.json'))).toBe('old');
    expect(readdirSync(tmp).filter((n) => n.startsWith('failing.'))).toEqual([]);
  });

  it('with carryOver keeps the entries fill did not write (files and folders), but not stale temporaries', async () => {
    const d = path.join(tmp, 'carry');
    mkdirSync(path.join(d, 'checkpoint'), { recursive: true });
    writeFileSync(path.join(d, 'checkpoint', 'state.json'), 'ckpt');
    writeFileSync(path.join(d, 'README.md'), 'readme');
    writeFileSync(path.join(d, 'fewshot.json'), 'old model');
    mkdirSync(path.join(d, 'checkpoint.tmp-999999'));
    await writeDirAtomic(d, async (t) => writeFileSync(path.join(t, 'fewshot.json'), 'new model'), { carryOver: true });
    expect(read(path.join(d, 'fewshot.json'))).toBe('new model');
    expect(read(path.join(d, 'README.md'))).toBe('readme');
    expect(read(path.join(d, 'checkpoint', 'state.json'))).toBe('ckpt');
    expect(existsSync(path.join(d, 'checkpoint.tmp-999999'))).toBe(false);
  });
});

describe('recoverDir', () => {
  // pid 2^22 + 1 is above Linux's pid_max default: never a running process
  const deadPid = 4194305;

  it('puts back the old folder a run killed between the two renames left, and removes its temporary folder', async () => {
    const d = path.join(tmp, 'killed');
    mkdirSync(`${d}.old-${deadPid}`, { recursive: true });
    writeFileSync(path.join(`${d}.old-${deadPid}`, 'fewshot.json'), 'old');
    mkdirSync(`${d}.tmp-${deadPid}`);
    const done = await recoverDir(d);
    expect(done).toHaveLength(2);
    expect(read(path.join(d, 'fewshot.json'))).toBe('old');
    expect(readdirSync(tmp).filter((n) => n.startsWith('killed.'))).toEqual([]);
  });

  it("removes a dead run's old folder when the new one is in place, and leaves a running process's entries alone", async () => {
    const d = path.join(tmp, 'done');
    mkdirSync(d);
    writeFileSync(path.join(d, 'fewshot.json'), 'new');
    mkdirSync(`${d}.old-${deadPid}`);
    const parent = process.ppid; // a running process other than this one
    mkdirSync(`${d}.tmp-${parent}`);
    await recoverDir(d);
    expect(read(path.join(d, 'fewshot.json'))).toBe('new');
    expect(existsSync(`${d}.old-${deadPid}`)).toBe(false);
    expect(statSync(`${d}.tmp-${parent}`).isDirectory()).toBe(true);
  });

  it('does nothing when nothing was left', async () => {
    expect(await recoverDir(path.join(tmp, 'nothing-here'))).toEqual([]);
  });
});
