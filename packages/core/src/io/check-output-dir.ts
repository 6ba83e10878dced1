import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Throws a ConfigError naming `dir` unless fewshot can write the folder `dir` (`what` names the
 * option that gave it, e.g. `--out`): a path that is a file, a path below a file, or a folder (or the
 * nearest existing folder above a missing one) where a file cannot be created. Creates nothing that
 * outlives the call; meant to run before any data is read or any training starts.
 */
export async function checkOutputDir(dir: string, what: string): Promise<void> {
  const target = path.resolve(dir);
  let probeIn = target;
  for (;;) {
    const st = await fs.stat(probeIn).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      if (err.code === 'ENOTDIR') return 'below-file' as const;
      throw cantWrite(target, what, err);
    });
    if (st === 'below-file') {
      throw new ConfigError(`${what} ${target}: a part of this path is a file, not a folder`, {
        hints: [`choose a folder path whose parents are folders`],
      });
    }
    if (st && !st.isDirectory()) {
      if (probeIn === target)
        throw new ConfigError(`${what} ${target} is a file, not a folder`, {
          hints: ['give a folder (it is created when missing), or remove the file'],
        });
      throw new ConfigError(`${what} ${target}: ${probeIn} is a file, not a folder`, {
        hints: [`choose a folder path whose parents are folders`],
      });
    }
    if (st) break;
    const up = path.dirname(probeIn);
    if (up === probeIn) break;
    probeIn = up;
  }
  // access(W_OK) says yes to root on a read-only file system: create and remove a file instead
  const probe = path.join(probeIn, `.fewshot-write-check-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await fs.writeFile(probe, '');
  } catch (err) {
    throw cantWrite(target, what, err as NodeJS.ErrnoException, probeIn === target ? undefined : probeIn);
  }
  await fs.rm(probe, { force: true });
}

function cantWrite(target: string, what: string, err: NodeJS.ErrnoException, parent?: string): ConfigError {
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'no file can be created there',
    ENOSPC: 'no space left on the device',
  };
  const reason = reasons[err.code ?? ''] ?? err.message;
  return new ConfigError(
    `${what} ${target} cannot be written${parent ? ` (its folder ${parent} does not take new files)` : ''}: ${reason}`,
    {
      cause: err,
      hints: ['choose a folder you can write to, or change its permissions'],
    },
  );
}
