import { createContainer } from '../container.js';
import { FewshotError } from '../errors.js';
import type { BackendName } from '../backend/select-backend.js';
import type { Modality } from '../modality.js';
import type { LoadedPlugin } from '../plugin-loader.js';
import { checkBackends } from './check-backends.js';
import { checkCache } from './check-cache.js';
import { checkData } from './check-data.js';
import { checkFfmpeg } from './check-ffmpeg.js';
import { checkOutput } from './check-output.js';
import { checkNode, checkPackages } from './check-runtime.js';
import type { DoctorCheck } from './doctor-check.js';

export interface DoctorOptions {
  /** Plugins to load besides the built-in ones (package names or paths, as `plugins:` in a config). */
  readonly plugins?: readonly string[];
  /** Working folder: plugin paths, ./data, ./.cache/fewshot and the default output folder are relative to it. */
  readonly cwd?: string;
  /** Output folder to check (default: `cwd`). */
  readonly out?: string;
  /** Data folder (default: $FEWSHOT_DATA, else ./data). */
  readonly dataDir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Starts one backend (default: initBackend); tests replace it. */
  readonly startBackend?: (name: BackendName) => Promise<void>;
}

/** What `fewshot doctor` found: every check, and whether anything required is broken. */
export interface DoctorReport {
  readonly checks: readonly DoctorCheck[];
  /** True when no check is an `error` (warnings allowed). */
  readonly ok: boolean;
  readonly errors: number;
  readonly warnings: number;
}

/**
 * Look at everything a run depends on: Node and package versions, the compute backends (and which
 * `auto` picks), ffmpeg, the data folder and the data sets in it, the cache, and the output folder.
 * Never throws for a problem it finds: each becomes a check with what to do.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  let plugins: readonly LoadedPlugin[] | Error;
  let modalities: readonly Modality[] = [];
  try {
    const c = await createContainer(options.plugins ?? [], cwd);
    plugins = c.plugins;
    modalities = c.registry.modalities;
  } catch (err) {
    plugins = err instanceof Error ? err : new Error(String(err));
  }
  const checks = [
    checkNode(),
    checkPackages(plugins),
    await checkBackends(options.startBackend),
    checkFfmpeg(modalities),
    checkData(options.dataDir, env),
    checkCache(env, cwd),
    checkOutput(options.out, cwd),
  ];
  const errors = checks.filter((c) => c.status === 'error').length;
  const warnings = checks.filter((c) => c.status === 'warning').length;
  return { checks, ok: errors === 0, errors, warnings };
}

/** Something fewshot cannot run without is broken (what `fewshot doctor` exits non-zero for). */
export class SetupError extends FewshotError {
  override readonly title = 'Setup error';
}

/** The SetupError for a report with errors, naming the failed checks; undefined when the report is ok. */
export function setupErrorOf(report: DoctorReport): SetupError | undefined {
  if (report.ok) return undefined;
  const failed = report.checks.filter((c) => c.status === 'error');
  return new SetupError(`${failed.length} required check(s) failed: ${failed.map((c) => c.id).join(', ')}`, {
    hints: failed.flatMap((c) => c.fixes),
  });
}

const MARK = { ok: 'ok  ', warning: 'warn', error: 'FAIL' } as const;

/** The plain-text report: one block per check, what to do under each problem, a verdict at the end. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.id.length));
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${MARK[c.status]}  ${c.id.padEnd(width)}  ${c.summary}`);
    const indent = ' '.repeat(width + 8);
    for (const d of c.details) lines.push(`${indent}${d}`);
    for (const f of c.fixes) lines.push(`${indent}-> ${f}`);
  }
  lines.push('');
  if (report.errors > 0)
    lines.push(`${report.errors} problem(s) to fix before fewshot can run, ${report.warnings} warning(s)`);
  else if (report.warnings > 0) lines.push(`fewshot can run; ${report.warnings} warning(s) above`);
  else lines.push('everything looks fine');
  return lines.join('\n') + '\n';
}
