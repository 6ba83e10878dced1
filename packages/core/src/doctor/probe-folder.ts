import { mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** What a folder path is, and whether fewshot can write there (or create it). */
export interface FolderProbe {
  readonly path: string;
  readonly kind: 'folder' | 'file' | 'missing';
  /** Writable (a folder), or can be created (missing, under a writable folder). */
  readonly writable: boolean;
  /** Why not, or (missing) where it would be created. */
  readonly note?: string;
}

/** Try to write in `dir` by creating and removing an empty folder; undefined when that works, else why not. */
function writeProblem(dir: string): string | undefined {
  try {
    rmSync(mkdtempSync(path.join(dir, '.fewshot-doctor-')), { recursive: true, force: true });
    return undefined;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
    if (e.code === 'EROFS') return 'read-only file system';
    return `cannot create anything there (${e.code ?? e.message})`;
  }
}

/** Probe `target` by really writing there (permission bits alone miss read-only mounts and ACLs). */
export function probeFolder(target: string): FolderProbe {
  const abs = path.resolve(target);
  let stat;
  try {
    stat = statSync(abs);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory())
    return { path: abs, kind: 'file', writable: false, note: 'it is a file, not a folder' };
  if (stat) {
    const problem = writeProblem(abs);
    return problem
      ? { path: abs, kind: 'folder', writable: false, note: problem }
      : { path: abs, kind: 'folder', writable: true };
  }
  // missing: the nearest existing ancestor must be a writable folder
  let up = path.dirname(abs);
  for (;;) {
    let s;
    try {
      s = statSync(up);
    } catch {
      s = undefined;
    }
    if (s) {
      if (!s.isDirectory())
        return { path: abs, kind: 'missing', writable: false, note: `${up} is a file, not a folder` };
      const problem = writeProblem(up);
      return problem
        ? { path: abs, kind: 'missing', writable: false, note: `${up}: ${problem}` }
        : { path: abs, kind: 'missing', writable: true, note: `would be created under ${up}` };
    }
    const next = path.dirname(up);
    if (next === up) return { path: abs, kind: 'missing', writable: false, note: 'no existing parent folder' };
    up = next;
  }
}
