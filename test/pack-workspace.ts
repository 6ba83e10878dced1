import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './shared-data.js';

/** Helpers of the packaging tests: pack the workspace's packages and install them as a user would. */

/** The workspace packages, by npm name, with their folders. */
export const WORKSPACE_PACKAGES = {
  '@fewshot/core': 'packages/core',
  '@fewshot/modality-image': 'packages/modality-image',
  '@fewshot/modality-audio': 'packages/modality-audio',
  '@fewshot/modality-video': 'packages/modality-video',
  '@fewshot/modality-timeseries': 'packages/modality-timeseries',
} as const;
export type WorkspacePackage = keyof typeof WORKSPACE_PACKAGES;

/** One packed package: its tarball and the files `npm pack` put in it. */
export interface PackedPackage {
  readonly name: string;
  readonly tarball: string;
  readonly files: readonly string[];
}

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/**
 * The environment for child npm and fewshot processes: without the `npm_*` variables of an npm that
 * started Jest (`npm test`), which would otherwise configure the child npm (workspace, prefix...).
 */
export function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD') env[k] = v;
  return { ...env, NO_UPDATE_NOTIFIER: '1', ...extra };
}

/** Run a command to its end (killed after `timeoutMs`); resolves with its exit code and output. */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ProcessResult> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - start });
    });
  });
}

/** Like runProcess, but a non-zero exit is an error showing the command and its output. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<ProcessResult> {
  const r = await runProcess(command, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited with ${r.code}\n--- stdout\n${r.stdout.slice(-4000)}\n--- stderr\n${r.stderr.slice(-4000)}`,
    );
  }
  return r;
}

/** A fresh folder under the system temp folder, never inside the repository. */
export function tempDirOutsideRepo(prefix: string): string {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), prefix)));
  const rel = path.relative(realpathSync(REPO_ROOT), dir);
  if (!rel.startsWith('..') && !path.isAbsolute(rel))
    throw new Error(`temp folder ${dir} is inside the repository ${REPO_ROOT}`);
  return dir;
}

/**
 * `npm pack` every workspace package (as built in its dist: run `tsc -b` first) into `dest`.
 * Returns them by package name.
 */
export async function packWorkspace(dest: string): Promise<Record<WorkspacePackage, PackedPackage>> {
  const r = await runOk('npm', ['pack', '--workspaces', '--json', '--pack-destination', dest], { cwd: REPO_ROOT });
  const list = JSON.parse(r.stdout) as { name: string; filename: string; files: { path: string }[] }[];
  const out: Partial<Record<WorkspacePackage, PackedPackage>> = {};
  for (const p of list) {
    if (!(p.name in WORKSPACE_PACKAGES)) throw new Error(`npm pack made an unexpected package ${p.name}`);
    out[p.name as WorkspacePackage] = {
      name: p.name,
      tarball: path.join(dest, p.filename),
      files: p.files.map((f) => f.path).sort(),
    };
  }
  for (const name of Object.keys(WORKSPACE_PACKAGES))
    if (!out[name as WorkspacePackage]) throw new Error(`npm pack did not pack ${name}`);
  return out as Record<WorkspacePackage, PackedPackage>;
}

/** The flags of every test install: the npm cache is warm after `npm ci`, so no network is needed. */
export const NPM_INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'] as const;

/**
 * Make `dir` an application (a package.json) and `npm install` the given tarballs into it, as a user
 * installing from a registry would. Optional dependencies that fail to install (tfjs-node, which
 * downloads libtensorflow) are skipped by npm. Returns the install's process result (with its time).
 */
export async function installTarballs(
  dir: string,
  tarballs: readonly string[],
  timeoutMs = 150_000,
): Promise<ProcessResult> {
  if (readdirSync(dir).length === 0) {
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'fewshot-user', version: '1.0.0', private: true, type: 'module' }, null, 2) + '\n',
    );
  }
  return runOk('npm', ['install', ...NPM_INSTALL_FLAGS, ...tarballs], { cwd: dir, timeoutMs });
}
