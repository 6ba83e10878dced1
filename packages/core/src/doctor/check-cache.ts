import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { sampleCacheDir } from '../data/sample-cache.js';
import { probeFolder } from './probe-folder.js';
import { check, type DoctorCheck } from './doctor-check.js';

/** Files and bytes under `dir` (symbolic links not followed). */
function folderSize(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/**
 * The decoded-data cache ($FEWSHOT_CACHE, else ./.cache/fewshot): where, how big, and whether it can be
 * written. A warning when it cannot (runs still work, decoding afresh every time).
 */
export function checkCache(env: NodeJS.ProcessEnv, cwd: string): DoctorCheck {
  const dir = sampleCacheDir(env, cwd);
  const from = env['FEWSHOT_CACHE'] ? '$FEWSHOT_CACHE' : 'the default ./.cache/fewshot';
  const p = probeFolder(dir);
  const size = p.kind === 'folder' ? folderSize(dir) : { files: 0, bytes: 0 };
  const facts = { dir, from, exists: p.kind === 'folder', writable: p.writable, files: size.files, bytes: size.bytes };
  if (!p.writable) {
    return check(
      'cache',
      'warning',
      `cache ${dir} (from ${from}) cannot be written: ${p.note}; every run decodes its data afresh`,
      {
        fixes: ['set FEWSHOT_CACHE to a folder you may write (e.g. ~/.cache/fewshot), or run with --no-cache'],
        facts,
      },
    );
  }
  const what =
    p.kind === 'folder' ? `${formatBytes(size.bytes)} in ${size.files} file(s)` : 'empty (created on first use)';
  return check('cache', 'ok', `cache ${dir} (from ${from}): ${what}`, {
    details:
      p.kind === 'folder' && size.bytes > 0 ? [`to free the space: rm -r ${dir} (it is refilled when needed)`] : [],
    facts,
  });
}
