import { tf } from '../tfjs.js';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { sha256 } from './content-key.js';
import { FEWSHOT_VERSION } from './fewshot-version.js';
import type { BenchEnvironment } from './results-schema.js';

const BACKEND_PACKAGES = ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node'];

/** Versions, CPU, lockfile hash and git commit of the machine and checkout a bench runs in (`cwd`: the working folder). */
export function environmentInfo(cwd = process.cwd()): BenchEnvironment {
  const require = createRequire(import.meta.url);
  const backendPackages: Record<string, string> = {};
  for (const name of BACKEND_PACKAGES) {
    try {
      backendPackages[name] = (
        JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }
      ).version;
    } catch {
      // not installed (optional)
    }
  }
  let gitCommit: string | null;
  try {
    gitCommit =
      execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim() || null;
  } catch {
    gitCommit = null;
  }
  const cpus = os.cpus();
  return {
    fewshotVersion: FEWSHOT_VERSION,
    node: process.version,
    tfjs: tf.version.tfjs,
    backendPackages,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    platform: `${process.platform}-${process.arch}`,
    lockfileHash: lockfileHash(cwd),
    gitCommit,
  };
}

/** sha256 of the nearest package-lock.json at or above `dir`. */
function lockfileHash(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const f = path.join(d, 'package-lock.json');
    if (existsSync(f)) return sha256(readFileSync(f));
    if (path.dirname(d) === d) return null;
  }
}
