import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { modalityIdFor, packageNameProblems, unscopedName } from './package-name.js';
import { pluginManifest } from './plugin-manifest.js';

/** What `fewshot new-plugin` is asked for. */
export interface ScaffoldOptions {
  /** npm package name of the plugin (`fewshot-vectors`, `@me/fewshot-vectors`). */
  readonly name: string;
  /** Folder to create; it must be absent or empty. */
  readonly dir: string;
  /**
   * The plugin's `@fewshot/core` dependency: a version range, an npm spec, or a path to a tarball or
   * package folder (made `file:<absolute path>`). Default: `file:` this core package's folder.
   */
  readonly core?: string;
}

/** What was written. */
export interface ScaffoldResult {
  readonly dir: string;
  readonly name: string;
  readonly modality: string;
  readonly encoder: string;
  /** The `@fewshot/core` dependency written to package.json. */
  readonly coreSpec: string;
  /** Files written, relative to `dir`, sorted. */
  readonly files: readonly string[];
}

/** This core package's folder (the one holding its package.json), from `dist/scaffold/`. */
export const CORE_PACKAGE_DIR = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '');

/** The template of a plugin package, shipped with core. */
export const PLUGIN_TEMPLATE_DIR = path.join(CORE_PACKAGE_DIR, 'templates', 'plugin');

/**
 * Write a new plugin package to `options.dir`: a working modality (numeric vectors in .json/.csv
 * files, one folder per class) and dense encoder against `@fewshot/core/plugin`, a test running the
 * conformance suite on a fixture it ships, tsconfig, package.json and a README for its author. Throws
 * ConfigError for an invalid package name or a folder that exists and is not empty.
 */
export async function scaffoldPlugin(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const problems = packageNameProblems(options.name);
  if (problems.length > 0) {
    throw new ConfigError(`'${options.name}' is not a valid npm package name: ${problems[0]}`, {
      hints: [...problems.slice(1), "valid names look like 'fewshot-vectors' or '@me/fewshot-vectors'"],
    });
  }
  const dir = path.resolve(options.dir);
  await requireEmptyFolder(dir);
  const modality = modalityIdFor(options.name);
  const encoder = `${modality}-dense`;
  const coreSpec = coreDependency(options.core);
  const specFile = `src/${unscopedName(options.name)}.spec.ts`;
  const values: Record<string, string> = {
    __PACKAGE_NAME__: options.name,
    __MODALITY_ID__: modality,
    __ENCODER_ID__: encoder,
    __SPEC_FILE__: specFile,
  };
  const files: string[] = [];
  for (const rel of await listTemplate(PLUGIN_TEMPLATE_DIR)) {
    const target = rel === 'gitignore' ? '.gitignore' : rel === 'src/plugin.spec.ts' ? specFile : rel;
    const text = await readFile(path.join(PLUGIN_TEMPLATE_DIR, rel), 'utf8');
    await writeOut(
      dir,
      target,
      text.replace(/__[A-Z_]+__/g, (key) => values[key] ?? key),
    );
    files.push(target);
  }
  await writeOut(
    dir,
    'package.json',
    JSON.stringify(pluginManifest(options.name, coreSpec, modality, encoder), null, 2) + '\n',
  );
  files.push('package.json');
  return { dir, name: options.name, modality, encoder, coreSpec, files: files.sort() };
}

/**
 * `--core`: a path (starting with `./`, `../` or `/`, or a `.tgz`) must exist and becomes `file:<absolute path>`;
 * anything else (`^0.1.0`, `latest`, `npm:...`) is an npm spec, written as given.
 */
export function coreDependency(core: string | undefined, cwd = process.cwd()): string {
  if (core === undefined) return `file:${CORE_PACKAGE_DIR}`;
  if (core.trim() === '')
    throw new ConfigError('--core is empty', {
      hints: ['give a version range (^0.1.0), a tarball or a folder of @fewshot/core'],
    });
  if (core.startsWith('file:')) return `file:${path.resolve(cwd, core.slice(5))}`;
  const asPath = path.resolve(cwd, core);
  if (/^(\.{1,2}[\\/]|[\\/])/.test(core) || path.isAbsolute(core) || /\.(tgz|tar\.gz)$/.test(core)) {
    if (!existsSync(asPath)) throw new ConfigError(`--core: no such file or folder: ${asPath}`);
    return `file:${asPath}`;
  }
  return core;
}

async function requireEmptyFolder(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new ConfigError(`--dir ${dir} is a file, not a folder`);
  const entries = await readdir(dir);
  if (entries.length > 0) {
    throw new ConfigError(
      `--dir ${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. '${entries.sort()[0]}')`,
      {
        hints: ['new-plugin writes a whole package: give a new or empty folder'],
      },
    );
  }
}

/** Files below the template folder, as sorted '/'-separated relative paths. */
async function listTemplate(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) out.push(...(await listTemplate(root, p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

async function writeOut(dir: string, rel: string, text: string): Promise<void> {
  const file = path.join(dir, ...rel.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, { flag: 'wx' });
}
