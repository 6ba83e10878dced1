import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import { describeIssues, formatProblem, type ConfigProblem } from '../config/describe-issues.js';
import { YamlLocator, type LocationTarget } from '../config/yaml-locations.js';
import { ConfigError } from '../errors.js';
import { BenchSchema, type BenchSpec } from './bench-schema.js';

/** A bench file read and validated against the schema, with the means to point at any of its keys. */
export interface LoadedBench {
  readonly spec: BenchSpec;
  /** Absolute path of the bench file. */
  readonly file: string;
  readonly dir: string;
  /** The file's text (its hash is part of nothing: the plan's keys are). */
  readonly text: string;
  /** A problem at `key` (dotted path into the file), located at its line and column. */
  problem(key: readonly (string | number)[], message: string, target?: LocationTarget): ConfigProblem;
}

/** Read and validate a bench YAML file; every problem is reported with file:line:col and its key. */
export async function loadBench(file: string): Promise<LoadedBench> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (cause) {
    throw new ConfigError(
      `cannot read the bench file ${abs}: ${(cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : (cause as Error).message}`,
      { cause },
    );
  }
  return parseBench(text, abs);
}

/** The synchronous core of `loadBench`: `text` is the YAML, `file` names it in messages. */
export function parseBench(text: string, file: string): LoadedBench {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const { line, col } = lineCounter.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${line}:${col}: ${e.message}`, { cause: e });
  }
  if (!isMap(doc.contents))
    throw new ConfigError(`${file}: a bench file is a mapping with tasks:, methods: and cells:`);
  const locator = new YamlLocator(doc, lineCounter, file);
  const data: unknown = doc.toJS();
  const result = BenchSchema.safeParse(data);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, data, BenchSchema, locator);
    throw benchError(file, problems, result.error);
  }
  return {
    spec: result.data,
    file,
    dir: path.dirname(file),
    text,
    problem: (key, message, target = 'value') => ({
      path: key.map(String).join('.'),
      location: locator.locate(key, target),
      message,
    }),
  };
}

/** One ConfigError listing every problem of a bench file, each as `file:line:col: key: message`. */
export function benchError(file: string, problems: readonly ConfigProblem[], cause?: unknown): ConfigError {
  const n = problems.length;
  return new ConfigError(`${file}: the bench file has ${n} problem${n === 1 ? '' : 's'}`, {
    cause,
    hints: problems.map(formatProblem),
  });
}
