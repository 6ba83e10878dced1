import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from '../errors.js';
import { applyOverrides } from './apply-overrides.js';
import { describeIssues, formatProblem } from './describe-issues.js';
import { ExperimentSchema, type ExperimentConfig } from './experiment-schema.js';
import { YamlLocator } from './yaml-locations.js';

/**
 * Loading an experiment: read the YAML, apply `--set` overrides to the parsed document, validate
 * with the zod schema (defaults applied) and report every problem with its line and column.
 */

export interface LoadedConfig {
  /** Validated, defaults applied. */
  config: ExperimentConfig;
  /** Absolute path of the YAML ('<inline>' when loaded from an object). */
  file: string;
  /** Its folder (plugin paths are resolved from here); the current folder for '<inline>'. */
  dir: string;
  /** Absolute: resolve($FEWSHOT_DATA ?? './data', config.data.root), relative paths from the current folder. */
  dataRoot: string;
  /** The `--set` strings applied, in order. */
  overrides: string[];
  /**
   * Where each value was written (line and column, or the `--set` that gave it): for problems found
   * after loading, such as modality settings checked by the modality's schemas. Absent for configs
   * made by hand.
   */
  locator?: YamlLocator;
}

/** The `file` of a config that did not come from a file. */
export const INLINE_FILE = '<inline>';

/** Default base of `data.root` when $FEWSHOT_DATA is not set. */
export const DEFAULT_DATA_DIR = './data';

/** Reads, overrides and validates an experiment YAML file. */
export async function loadConfig(
  file: string,
  overrides: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw readError(path, error);
  }
  return parseConfigText(text, path, overrides, env);
}

/** The synchronous core of `loadConfig`: `text` is the YAML source, `file` names it in messages. */
export function parseConfigText(
  text: string,
  file: string,
  overrides: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  const name = file === INLINE_FILE ? file : resolve(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) throw syntaxError(name, text, lineCounter, doc.errors);
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError(`${name}: the experiment file is empty`, {
      hints: [
        'A minimal experiment names its data, e.g.:',
        '  data:',
        '    train: { path: omniglot/images_background }',
      ],
    });
  }
  if (!isMap(doc.contents)) {
    const got = isSeq(doc.contents)
      ? 'a list'
      : isScalar(doc.contents)
        ? `a single value (${JSON.stringify(doc.contents.value)})`
        : 'not a mapping';
    throw new ConfigError(
      `${name}: the top level of an experiment must be a mapping of keys (name:, data:, model:, ...), but it is ${got}`,
    );
  }
  return validateDocument(doc, lineCounter, name, overrides, env);
}

/** Validates an experiment given as a plain object (file '<inline>'); problems are located by path only. */
export function parseConfigObject(
  value: unknown,
  overrides: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): LoadedConfig {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`${INLINE_FILE}: an experiment must be an object of keys (name, data, model, ...)`);
  }
  return validateDocument(new Document(value), new LineCounter(), INLINE_FILE, overrides, env);
}

function validateDocument(
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  overrides: string[],
  env: NodeJS.ProcessEnv,
): LoadedConfig {
  const locator = new YamlLocator(doc, lineCounter, file);
  applyOverrides(doc, overrides, locator);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // e.g. "Excessive alias count" (a YAML bomb) or an alias to a missing anchor.
    throw new ConfigError(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  dropRetiredKeys(data);
  const result = ExperimentSchema.safeParse(data);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, data, ExperimentSchema, locator);
    const n = problems.length;
    throw new ConfigError(`${file}: the experiment config has ${n} problem${n === 1 ? '' : 's'}`, {
      cause: result.error,
      hints: problems.map(formatProblem),
    });
  }
  const config = result.data;
  const base = env['FEWSHOT_DATA'] || DEFAULT_DATA_DIR;
  return {
    config,
    file,
    dir: file === INLINE_FILE ? process.cwd() : dirname(file),
    dataRoot: resolve(base, config.data.root),
    overrides: [...overrides],
    locator,
  };
}

/**
 * Keys that earlier versions wrote into every saved config.yaml with their default value, and that are
 * gone because nothing read them: dropped when they hold that value, so saved model folders keep
 * loading (any other value is reported as an unknown key).
 */
const RETIRED_KEYS: readonly { path: readonly [string, string]; value: unknown }[] = [
  { path: ['train', 'positiveFraction'], value: 0.5 },
];

function dropRetiredKeys(data: unknown): void {
  for (const {
    path: [section, key],
    value,
  } of RETIRED_KEYS) {
    const node = (data as Record<string, unknown> | null)?.[section];
    if (node && typeof node === 'object' && !Array.isArray(node) && (node as Record<string, unknown>)[key] === value)
      delete (node as Record<string, unknown>)[key];
  }
}

/** An absolute `p` unchanged, otherwise `p` resolved from the data root. */
export function resolveDataPath(loaded: LoadedConfig, p: string): string {
  return isAbsolute(p) ? p : resolve(loaded.dataRoot, p);
}

/** The resolved config as YAML, headed by a comment saying where it came from, the overrides and the date. */
export function configToYaml(loaded: LoadedConfig, options: { date?: Date } = {}): string {
  const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');
  const header = [
    'fewshot experiment config, resolved (defaults applied, overrides merged)',
    `source: ${oneLine(loaded.file)}`,
    `overrides: ${loaded.overrides.length === 0 ? 'none' : loaded.overrides.map((o) => `--set ${oneLine(o)}`).join(' ')}`,
    `data root: ${oneLine(loaded.dataRoot)}`,
    `plugin paths relative to: ${oneLine(loaded.dir)}`,
    `date: ${(options.date ?? new Date()).toISOString()}`,
  ];
  const doc = new Document(loaded.config);
  doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** Writes `configToYaml(loaded)` to `dir/name` atomically (temporary file + rename); returns the path written. */
export async function saveResolvedConfig(loaded: LoadedConfig, dir: string, name = 'config.yaml'): Promise<string> {
  const target = resolve(dir, name);
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, configToYaml(loaded), 'utf8');
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return target;
}

function readError(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const hints = [`The path is resolved from the current folder (${process.cwd()}).`];
  switch (code) {
    case 'ENOENT':
      return new ConfigError(`Experiment file not found: ${path}`, { cause: error, hints });
    case 'EISDIR':
      return new ConfigError(`Experiment file ${path} is a folder, not a YAML file`, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new ConfigError(`Cannot read experiment file ${path}: permission denied`, { cause: error });
    default:
      return new ConfigError(
        `Cannot read experiment file ${path}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
          hints,
        },
      );
  }
}

function syntaxError(file: string, text: string, lineCounter: LineCounter, errors: readonly YAMLError[]): ConfigError {
  const where = (e: YAMLError): { line: number; col: number } => lineCounter.linePos(e.pos[0]);
  const first = errors[0]!;
  const { line, col } = where(first);
  const source = text.split(/\r?\n/)[line - 1] ?? '';
  const hints = [`  ${source}`, `  ${' '.repeat(Math.max(0, col - 1))}^`];
  for (const e of errors.slice(1)) {
    const pos = where(e);
    hints.push(`${file}:${pos.line}:${pos.col}: ${e.message}`);
  }
  return new ConfigError(`${file}:${line}:${col}: ${first.message}`, { cause: first, hints });
}
