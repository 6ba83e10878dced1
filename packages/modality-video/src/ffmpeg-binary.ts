import { accessSync, constants, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PluginError } from '@fewshot/core/plugin';

/** Where the ffmpeg binary came from, in the order they are tried. */
export const FFMPEG_SOURCES = ['FFMPEG_PATH', 'ffmpeg-static', '@ffmpeg-installer/ffmpeg', 'PATH'] as const;
export type FfmpegSource = (typeof FFMPEG_SOURCES)[number];

/** A resolved ffmpeg binary. */
export interface FfmpegBinary {
  readonly path: string;
  readonly source: FfmpegSource;
}

/** What `findFfmpeg` looks at; tests replace the package lookups and the environment. */
export interface FfmpegSearch {
  readonly env?: NodeJS.ProcessEnv;
  /** The binary path each npm package names (or throws when it is not installed). */
  readonly packages?: Partial<Record<'ffmpeg-static' | '@ffmpeg-installer/ffmpeg', () => string | null | undefined>>;
}

const require = createRequire(import.meta.url);

/** The packages' own answers: ffmpeg-static exports a path (null when it has no binary for the platform), @ffmpeg-installer/ffmpeg an object with `path`. */
const defaultPackages: Required<NonNullable<FfmpegSearch['packages']>> = {
  'ffmpeg-static': () => require('ffmpeg-static') as string | null,
  '@ffmpeg-installer/ffmpeg': () => (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
};

/**
 * Find the ffmpeg binary: `$FFMPEG_PATH`, then the optional `ffmpeg-static` package (present where its
 * binary download worked), then `@ffmpeg-installer/ffmpeg`, then `ffmpeg` on `$PATH`. An `FFMPEG_PATH`
 * that is set must name an executable file (it is never silently passed over). Throws PluginError
 * listing every place searched and why each failed.
 */
export function findFfmpeg(search: FfmpegSearch = {}): FfmpegBinary {
  const env = search.env ?? process.env;
  const packages = { ...defaultPackages, ...search.packages };
  const tried: string[] = [];

  const explicit = env['FFMPEG_PATH'];
  if (explicit) {
    const problem = notExecutable(explicit);
    if (!problem) return { path: explicit, source: 'FFMPEG_PATH' };
    throw new PluginError(`ffmpeg not found: FFMPEG_PATH is set to ${explicit}, ${problem}`, {
      hints: [
        'point FFMPEG_PATH at an ffmpeg executable, or unset it to use the bundled one (@ffmpeg-installer/ffmpeg) or ffmpeg on PATH',
      ],
    });
  }
  tried.push('FFMPEG_PATH: not set');

  for (const name of ['ffmpeg-static', '@ffmpeg-installer/ffmpeg'] as const) {
    let named: string | null | undefined;
    try {
      named = packages[name]();
    } catch (err) {
      tried.push(`${name}: not installed (${firstLine(err)})`);
      continue;
    }
    if (!named) {
      tried.push(`${name}: installed, but names no binary for ${process.platform}-${process.arch}`);
      continue;
    }
    const problem = notExecutable(named);
    if (!problem) return { path: named, source: name };
    tried.push(
      `${name}: ${named} ${problem}${name === 'ffmpeg-static' ? ' (its install-time download may have failed)' : ''}`,
    );
  }

  const exe = process.platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, exe);
    if (!notExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  tried.push(dirs.length > 0 ? `PATH: no executable ${exe} in ${dirs.join(path.delimiter)}` : 'PATH: not set');

  throw new PluginError(`ffmpeg not found: the video modality needs an ffmpeg binary to read video files`, {
    hints: [
      ...tried.map((t) => `searched ${t}`),
      'install one (npm install @ffmpeg-installer/ffmpeg, or your system package manager), or set FFMPEG_PATH',
    ],
  });
}

/** Why `file` cannot be run, or undefined when it is an executable file. */
function notExecutable(file: string): string | undefined {
  let isFile: boolean;
  try {
    isFile = statSync(file).isFile();
  } catch {
    return 'which does not exist';
  }
  if (!isFile) return 'which is not a file';
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return 'which is not executable';
  }
  return undefined;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/** The first line of `ffmpeg -version` ("ffmpeg version 4.4 ..."), or why it could not be run. */
export function ffmpegVersion(binary: string): string {
  const r = spawnSync(binary, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `cannot run it: ${r.error.message}`;
  return r.stdout.split('\n')[0]?.trim() || `exit code ${r.status}`;
}
