import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LabeledSet } from '../labeled-set.js';
import { DataFingerprints, fingerprintSet } from './data-fingerprint.js';

describe('fingerprintSet (bench data fingerprints)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fewshot-fp-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    const p = path.join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const setOf = (...files: [string, string][]) =>
    new LabeledSet(files.map(([p, label]) => ({ id: path.basename(p), path: p, label })));

  it('depends on the bytes, not on where the files are or when they were written', () => {
    const a = file('a.txt', 'first sample');
    const b = file('b.txt', 'second sample');
    const before = fingerprintSet(setOf([a, 'x'], [b, 'y']));
    // the same data laid down again elsewhere, with other modification times
    const copyDir = mkdtempSync(path.join(dir, 'copy-'));
    const a2 = path.join(copyDir, 'a.txt');
    const b2 = path.join(copyDir, 'b.txt');
    copyFileSync(a, a2);
    copyFileSync(b, b2);
    utimesSync(a2, new Date(2001, 0, 1), new Date(2001, 0, 1));
    expect(fingerprintSet(setOf([a2, 'x'], [b2, 'y']))).toBe(before);
    utimesSync(a, new Date(2002, 0, 1), new Date(2002, 0, 1));
    expect(fingerprintSet(setOf([a, 'x'], [b, 'y']))).toBe(before);
  });

  it('changes with an edited byte (same size), a label or a missing file', () => {
    const a = file('a.txt', 'first sample');
    const b = file('b.txt', 'second sample');
    const before = fingerprintSet(setOf([a, 'x'], [b, 'y']));
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintSet(setOf([a, 'x'], [b, 'z']))).not.toBe(before);
    writeFileSync(b, 'second sampLe');
    utimesSync(b, new Date(2003, 0, 1), new Date(2003, 0, 1)); // file times are coarse: make the edit visible
    const edited = fingerprintSet(setOf([a, 'x'], [b, 'y']));
    expect(edited).not.toBe(before);
    rmSync(b);
    const missing = fingerprintSet(setOf([a, 'x'], [b, 'y']));
    expect(missing).not.toBe(before);
    expect(missing).not.toBe(edited);
  });

  it('keeps one fingerprint per key for the run', () => {
    const a = file('a.txt', 'one');
    const fps = new DataFingerprints();
    const first = fps.fingerprint('k', setOf([a, 'x']));
    writeFileSync(a, 'three');
    expect(fps.fingerprint('k', setOf([a, 'x']))).toBe(first);
    expect(fps.fingerprint('other', setOf([a, 'x']))).not.toBe(first);
  });
});
