import { Document, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError } from '../errors.js';
import { formatLocation, keyText, YamlLocator } from './yaml-locations.js';

/**
 * `--set path=value` overrides: a dotted path into the experiment document and a YAML scalar or
 * flow value (`train.epochs=5`, `train.augment={}`, `data.train.exclude=[Latin,Greek]`).
 * They are applied to the parsed YAML document before validation, so a bad value is reported
 * like any other, but attributed to the override.
 */

export interface ParsedOverride {
  /** The override as given. */
  text: string;
  /** The dotted path split into keys (a numeric key indexes a list). */
  path: string[];
  /** The value, parsed as YAML. */
  value: unknown;
}

const USAGE_HINT = 'Overrides look like --set train.epochs=5 or --set data.train.exclude=[Latin,Greek]';

function overrideError(text: string, problem: string, hints: string[] = [USAGE_HINT], cause?: unknown): ConfigError {
  return new ConfigError(`Invalid override --set ${text}: ${problem}`, { hints, cause });
}

/** Splits and parses one `path=value` override. */
export function parseOverride(text: string): ParsedOverride {
  const eq = text.indexOf('=');
  if (eq < 0) throw overrideError(text, "expected 'path=value'");
  const rawPath = text.slice(0, eq).trim();
  const rawValue = text.slice(eq + 1);
  if (rawPath === '') throw overrideError(text, "the path before '=' is empty");
  const path = rawPath.split('.').map((k) => k.trim());
  if (path.some((k) => k === '')) throw overrideError(text, `the path '${rawPath}' has an empty key`);
  if (rawValue.trim() === '') {
    throw overrideError(text, "the value after '=' is empty", [`To set an empty string, quote it: ${rawPath}=''`]);
  }
  const doc = parseDocument(rawValue, { prettyErrors: false });
  const error = doc.errors[0];
  if (error) throw overrideError(text, `the value is not valid YAML: ${error.message}`, [USAGE_HINT], error);
  return { text, path, value: doc.toJS() };
}

function describeNode(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    return typeof v === 'string'
      ? `a string (${JSON.stringify(v)})`
      : `${v === null ? 'null' : `a ${typeof v}`} (${String(v)})`;
  }
  return 'not a mapping';
}

/**
 * Applies the overrides in order to `doc` (whose top level must be a mapping), creating missing
 * intermediate mappings. Every node an override creates is recorded in `locator.origins`.
 */
export function applyOverrides(doc: Document, overrides: readonly string[], locator: YamlLocator): ParsedOverride[] {
  return overrides.map((text, index) => {
    const parsed = parseOverride(text);
    applyParsed(doc, parsed, index, locator);
    return parsed;
  });
}

/** Sets one parsed override in `doc` (see `applyOverrides`). */
function applyParsed(doc: Document, parsed: ParsedOverride, index: number, locator: YamlLocator): void {
  const text = parsed.text;
  const origin = { text, index };
  const created = (node: Node): Node => {
    locator.origins.set(node, origin);
    return node;
  };
  let node: unknown = doc.contents;
  for (let i = 0; i < parsed.path.length; i++) {
    const key = parsed.path[i]!;
    const last = i === parsed.path.length - 1;
    const here = parsed.path.slice(0, i).join('.') || '<top level>';
    const make = (): Node => created(last ? doc.createNode(parsed.value) : doc.createNode({}));
    if (isMap(node)) {
      let pair = node.items.find((p) => isPair(p) && keyText(p.key) === key);
      if (!pair) {
        pair = doc.createPair(key, null);
        created(pair.key as Node);
        node.items.push(pair);
      }
      const current = pair.value;
      if (last || current === null || current === undefined || (isScalar(current) && current.value === null)) {
        pair.value = make();
      } else if (isAlias(current)) {
        // Do not write through an alias into the anchored original: give this key its own copy.
        const copy = current.resolve(doc)?.clone();
        pair.value = copy ?? make();
      }
      node = pair.value;
    } else if (isSeq(node)) {
      if (!/^\d+$/.test(key) || Number(key) > node.items.length || (!last && Number(key) === node.items.length)) {
        throw overrideError(
          text,
          `'${here}' is a list of ${node.items.length} item(s), so the key after it must be an index from 0 to ${node.items.length - (last ? 0 : 1)}, not '${key}'`,
        );
      }
      const at = Number(key);
      const item: unknown = node.items[at];
      if (last || item === null || item === undefined || (isScalar(item) && item.value === null))
        node.items[at] = make();
      else if (isAlias(item)) node.items[at] = item.resolve(doc)?.clone() ?? make();
      node = node.items[at];
    } else {
      throw overrideError(
        text,
        `cannot set '${key}' inside '${here}', which is ${describeNode(node)} at ${formatLocation(locator.nodeLocation(node))}, not a mapping`,
      );
    }
  }
}

/**
 * Applies the overrides whose path starts with `prefix` (e.g. `data.preprocess`) to `value`, the
 * plain object found at that prefix, and returns the result (`value` is not changed); the others
 * are ignored. Paths are walked as in `applyOverrides`; an override of the prefix itself
 * (`data.preprocess={size: 56}`) must be a mapping, merged key by key over `value`.
 * `source` names where `value` came from in errors. Used for a saved model's `data.preprocess`
 * with the command line's changes on top.
 */
export function applyOverridesAt(
  value: Readonly<Record<string, unknown>>,
  overrides: readonly string[],
  prefix: string,
  source = `the given ${prefix}`,
): Record<string, unknown> {
  const keys = prefix.split('.');
  const root: Record<string, unknown> = {};
  let node = root;
  for (const key of keys.slice(0, -1)) node = node[key] = {} as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  const doc = new Document(root);
  const locator = new YamlLocator(doc, new LineCounter(), source);
  overrides.forEach((text, index) => {
    const parsed = parseOverride(text);
    if (parsed.path.length < keys.length || keys.some((k, i) => parsed.path[i] !== k)) return;
    if (parsed.path.length > keys.length) return applyParsed(doc, parsed, index, locator);
    const v = parsed.value;
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new ConfigError(`--set ${text}: ${prefix} must be a mapping`);
    for (const [k, item] of Object.entries(v))
      applyParsed(doc, { text, path: [...keys, k], value: item }, index, locator);
  });
  let out: unknown = doc.toJS();
  for (const key of keys) out = (out as Record<string, unknown>)[key];
  return out as Record<string, unknown>;
}
