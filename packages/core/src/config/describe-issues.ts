import type { z } from 'zod';
import { didYouMeanSuffix } from './did-you-mean.js';
import { allowedKeysAt, expectsIntegerAt } from './schema-walk.js';
import { formatLocation, locationOrder, type SourceLocation, type YamlLocator } from './yaml-locations.js';

/**
 * Turns zod validation issues into plain-English problems, each located in the YAML source
 * (or attributed to the `--set` override that produced the value).
 */

export interface ConfigProblem {
  /** Dotted path of the offending key, e.g. `train.epochs` (list items by index: `data.train.exclude.0`). */
  path: string;
  location: SourceLocation;
  message: string;
}

/** `<file>:<line>:<col>: <path>: <message>` (or `--set a.b=c: <path>: <message>`). */
export function formatProblem(problem: ConfigProblem): string {
  return `${formatLocation(problem.location)}: ${problem.path || '<top level>'}: ${problem.message}`;
}

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'a boolean (true or false)',
  object: 'a mapping',
  record: 'a mapping',
  map: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  set: 'a list',
  null: 'null',
  date: 'a date',
};

function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? `a ${expected}`;
}

/** `string "abc"`, `number 0`, `boolean true`, `a list`, `a mapping`, `an empty value (null)`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'an empty value (null)';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)}`;
    case 'number':
    case 'bigint':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : describeValue(value);
}

function getIn(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function dotted(path: readonly PropertyKey[]): string {
  return path.map((k) => String(k)).join('.');
}

function sizeMessage(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, value: unknown): string {
  const small = issue.code === 'too_small';
  const bound = String(small ? (issue as { minimum: unknown }).minimum : (issue as { maximum: unknown }).maximum);
  const inclusive = issue.inclusive !== false;
  const exact = (issue as { exact?: boolean }).exact === true;
  const length = (unit: string): string => {
    const actual = Array.isArray(value) || typeof value === 'string' ? value.length : undefined;
    const got = actual === undefined ? '' : `, got ${actual}`;
    if (exact) return `must have exactly ${bound} ${unit}${got}`;
    if (small && bound === '1' && inclusive)
      return unit === 'characters' ? 'must not be empty' : 'must not be an empty list';
    const limit = small ? (inclusive ? 'at least' : 'more than') : inclusive ? 'at most' : 'fewer than';
    return `must have ${limit} ${bound} ${unit}${got}`;
  };
  switch (issue.origin) {
    case 'string':
      return length('characters');
    case 'array':
    case 'set':
      return length('items');
    default: {
      const op = small ? (inclusive ? '>=' : '>') : inclusive ? '<=' : '<';
      return `must be ${op} ${bound}, got ${String(value)}`;
    }
  }
}

function unionMessage(issue: Extract<Issue, { code: 'invalid_union' }>, value: unknown): string {
  const alternatives: string[] = [];
  for (const branch of issue.errors) {
    const first = branch[0];
    if (!first || first.path.length > 0) return `does not match any of the allowed forms; got ${describeValue(value)}`;
    if (first.code === 'invalid_type') alternatives.push(typeName(first.expected));
    else if (first.code === 'invalid_value')
      alternatives.push(...first.values.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))));
    else return `does not match any of the allowed forms; got ${describeValue(value)}`;
  }
  return `must be ${alternatives.join(' or ')}; got ${describeValue(value)}`;
}

function describeOne(issue: Issue, input: unknown, schema: Schema, locator: YamlLocator): ConfigProblem[] {
  const path = issue.path;
  const value = getIn(input, path);
  const at = (message: string): ConfigProblem[] => [
    { path: dotted(path), location: locator.locate(path, 'value'), message },
  ];
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(schema, path);
      return issue.keys.map((key) => {
        const suffix = didYouMeanSuffix(key, allowed);
        const list = suffix === '' && allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : '';
        return {
          path: dotted([...path, key]),
          location: locator.locate([...path, key], 'key'),
          message: `unknown key '${key}'${suffix}${list}`,
        };
      });
    }
    case 'invalid_type': {
      if (value === undefined && path.length > 0) {
        // A missing required key: point at the mapping that should hold it.
        return [{ path: dotted(path), location: locator.locate(path.slice(0, -1), 'key'), message: 'required' }];
      }
      const integer = issue.expected === 'int' || (issue.expected === 'number' && expectsIntegerAt(schema, path));
      return at(`expected ${typeName(integer ? 'int' : issue.expected)}, got ${describeValue(value)}`);
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => String(v));
      const suggestion = typeof value === 'string' ? didYouMeanSuffix(value, options) : '';
      const must = options.length === 1 ? `must be ${options[0]}` : `must be one of ${options.join(', ')}`;
      return at(`${must}; got ${quoted(value)}${suggestion}`);
    }
    case 'too_small':
    case 'too_big':
      return at(sizeMessage(issue, value));
    case 'not_multiple_of':
      return at(`must be a multiple of ${String(issue.divisor)}, got ${String(value)}`);
    case 'invalid_format': {
      const pattern = (issue as { pattern?: string }).pattern;
      const what = issue.format === 'regex' && pattern ? `match ${pattern}` : `be a valid ${issue.format}`;
      return at(`must ${what}; got ${quoted(value)}`);
    }
    case 'invalid_union':
      return at(unionMessage(issue, value));
    case 'invalid_key':
      return at(`has an invalid key: ${issue.message}`);
    case 'invalid_element':
      return at(`has an invalid element: ${issue.message}`);
    default:
      return at(issue.message);
  }
}

/** One problem per issue (one per key for unknown keys), in source order, overrides last. */
export function describeIssues(
  issues: readonly Issue[],
  input: unknown,
  schema: Schema,
  locator: YamlLocator,
): ConfigProblem[] {
  const problems = issues.flatMap((issue) => describeOne(issue, input, schema, locator));
  return problems
    .map((problem, i) => ({ problem, i, order: locationOrder(problem.location) }))
    .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.i - b.i)
    .map((x) => x.problem);
}
