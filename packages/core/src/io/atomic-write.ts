import { promises as fs } from 'node:fs';
import path from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';

/**
 * Write a file so that readers (and a run killed at any moment) see either its old content or the
 * new one, never a part: npm's `write-file-atomic` writes a temporary file beside it, fsyncs it and
 * renames it into place. The parent folder is created when missing.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomicLib(
    file,
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  );
}

/** Options of `writeDirAtomic`. */
export interface WriteDirOptions {
  /**
   * Keep the entries of the existing folder that `fill` did not write (hard links, or copies where
   * links fail), so that a model saved into a folder that also holds its history or checkpoint keeps
   * them. Default false: the folder holds exactly what `fill` wrote.
   */
  readonly carryOver?: boolean;
  /**
   * Where DIR itself cannot be renamed (a mount point), its entries are replaced one by one, these
   * names last (e.g. a model's manifest, so that a folder without it is not taken for a model).
   */
  readonly last?: readonly string[];
}

/**
 * Write a folder as one unit: `fill` writes the new content into `DIR.tmp-<pid>`, which then replaces
 * DIR (DIR is renamed to `DIR.old-<pid>`, the new folder renamed to DIR, the old one removed). Readers
 * see the old folder or the new one, never a mix. A run killed between the two renames leaves only
 * `DIR.old-<pid>`: `recoverDir(DIR)`, which every `writeDirAtomic` call runs first, puts it back.
 */
export async function writeDirAtomic(
  dir: string,
  fill: (tmp: string) => Promise<void>,
  options: WriteDirOptions = {},
): Promise<void> {
  const target = path.resolve(dir);
  await recoverDir(target);
  const tmp = `${target}.tmp-${process.pid}`;
  await fs.rm(tmp, { recursive: true, force: true });
  await fs.mkdir(tmp, { recursive: true });
  try {
    await fill(tmp);
    if (options.carryOver) await linkMissing(target, tmp);
    const old = `${target}.old-${process.pid}`;
    await fs.rm(old, { recursive: true, force: true });
    let hadOld = true;
    try {
      await fs.rename(target, old);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EBUSY' || code === 'EXDEV' || code === 'EPERM' || code === 'EACCES') {
        // DIR cannot be renamed (a mount point, say): replace its entries one by one instead
        await swapEntries(tmp, target, options.last ?? []);
        return;
      }
      if (code !== 'ENOENT') throw err;
      hadOld = false;
    }
    await fs.rename(tmp, target);
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Tidy what a killed `writeDirAtomic` of DIR left beside it (entries of processes no longer running):
 * when DIR is missing, a complete `DIR.old-<pid>` is put back; other `DIR.old-*` and `DIR.tmp-*`
 * entries are removed. Returns what it did, one line per entry (empty when nothing was left).
 */
export async function recoverDir(dir: string): Promise<string[]> {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  let names: string[];
  try {
    names = await fs.readdir(parent);
  } catch {
    return [];
  }
  const left = names.filter((n) => leftBy(n, base) !== undefined && !isRunning(leftBy(n, base)!.pid));
  let exists = names.includes(base);
  const done: string[] = [];
  // old folders first: they are complete (a tmp folder may not be)
  const olds = left.filter((n) => n.startsWith(`${base}.old-`));
  for (const n of [...olds, ...left.filter((n) => !olds.includes(n))]) {
    const p = path.join(parent, n);
    if (!exists && n.startsWith(`${base}.old-`)) {
      await fs.rename(p, target);
      exists = true;
      done.push(`restored ${target} from ${n}`);
    } else {
      await fs.rm(p, { recursive: true, force: true });
      done.push(`removed ${p}`);
    }
  }
  return done;
}

/** The pid in `BASE.tmp-<pid>` or `BASE.old-<pid>`, or undefined for other names. */
function leftBy(name: string, base: string): { pid: number } | undefined {
  const m = /^\.(tmp|old)-(\d+)$/.exec(name.slice(base.length));
  return name.startsWith(base) && m ? { pid: Number(m[2]) } : undefined;
}

/** Whether a process with this id runs now (this process counts as not running: its own leftovers are stale). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Move every entry of `tmp` into `dir` (each replaced by a rename), `last` ones last; remove `tmp`. */
async function swapEntries(tmp: string, dir: string, last: readonly string[]): Promise<void> {
  const names = (await fs.readdir(tmp)).sort((a, b) => Number(last.includes(a)) - Number(last.includes(b)));
  for (const n of names) {
    const to = path.join(dir, n);
    const aside = `${to}.old-${process.pid}`;
    await fs.rm(aside, { recursive: true, force: true });
    await fs.rename(to, aside).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await fs.rename(path.join(tmp, n), to);
    await fs.rm(aside, { recursive: true, force: true });
  }
  await fs.rm(tmp, { recursive: true, force: true });
}

/** Hard-link (or copy) into `to` every top-level entry of `from` that `to` lacks (folders with all they hold). */
async function linkMissing(from: string, to: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(from);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const have = new Set(await fs.readdir(to));
  for (const n of names)
    if (!have.has(n) && !/\.(tmp|old)-\d+$/.test(n)) await linkTree(path.join(from, n), path.join(to, n));
}

async function linkTree(src: string, dst: string): Promise<void> {
  const st = await fs.lstat(src);
  if (st.isDirectory()) {
    await fs.mkdir(dst);
    for (const n of await fs.readdir(src)) await linkTree(path.join(src, n), path.join(dst, n));
  } else if (st.isFile()) {
    try {
      await fs.link(src, dst);
    } catch {
      await fs.copyFile(src, dst);
    }
  }
}
