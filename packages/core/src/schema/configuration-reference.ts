import type { JsonSchema } from './json-schema.js';

/** What the generated page says about itself and about the file it describes. */
export interface ReferenceOptions {
  /** Page title. */
  readonly title: string;
  /** Paragraphs under the title (Markdown). */
  readonly intro: readonly string[];
}

interface Section {
  readonly path: string;
  readonly schema: JsonSchema;
}

const asSchema = (x: unknown): JsonSchema => (x && typeof x === 'object' ? (x as JsonSchema) : {});

function properties(s: JsonSchema): [string, JsonSchema][] {
  return Object.entries(asSchema(s['properties'])).map(([k, v]) => [k, asSchema(v)]);
}

/** GitHub's anchor of a heading such as "`data.train`". */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

const code = (x: unknown): string => '`' + (typeof x === 'string' ? x : JSON.stringify(x).replace(/,/g, ', ')) + '`';
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

/** Bounds worth printing (zod's integers carry the safe-integer range, which says nothing to a user). */
const bound = (x: unknown): x is number => typeof x === 'number' && Math.abs(x) < Number.MAX_SAFE_INTEGER;

function range(s: JsonSchema): string {
  const parts: string[] = [];
  if (bound(s['minimum'])) parts.push(`>= ${s['minimum']}`);
  if (typeof s['exclusiveMinimum'] === 'number') parts.push(`> ${s['exclusiveMinimum']}`);
  if (bound(s['maximum'])) parts.push(`<= ${s['maximum']}`);
  if (typeof s['exclusiveMaximum'] === 'number') parts.push(`< ${s['exclusiveMaximum']}`);
  return parts.length ? ` ${parts.join(', ')}` : '';
}

/** The type column: `integer >= 1, <= 1000`, `one of ...`, `list of string`, `object (see ...)`. */
function typeOf(s: JsonSchema, path: string, seen: Map<string, string>): string {
  if (Array.isArray(s['enum'])) return `one of ${s['enum'].map(code).join(', ')}`;
  if ('const' in s) return code(s['const']);
  if (Array.isArray(s['anyOf'])) return s['anyOf'].map((o) => typeOf(asSchema(o), path, seen)).join(' or ');
  switch (s['type']) {
    case 'integer':
    case 'number':
      return `${s['type']}${range(s)}`;
    case 'string':
      return typeof s['minLength'] === 'number' && s['minLength'] > 0 ? 'string (not empty)' : 'string';
    case 'array': {
      const min = typeof s['minItems'] === 'number' && s['minItems'] > 0 ? ` (at least ${s['minItems']})` : '';
      return `list of ${typeOf(asSchema(s['items']), `${path}[]`, seen)}${min}`;
    }
    case 'object': {
      if (properties(s).length === 0) return 'object (free keys)';
      const first = seen.get(shapeKey(s));
      const same = first !== undefined && first !== path;
      const target = same ? first : path;
      return `object, ${same ? 'the same keys as' : 'see'} [${code(target)}](#${anchor(target)})`;
    }
    default:
      return typeof s['type'] === 'string' ? s['type'] : 'any';
  }
}

/** Identity of an object's keys, ignoring what is said about the object itself. */
function shapeKey(s: JsonSchema): string {
  return JSON.stringify({
    properties: s['properties'],
    required: s['required'],
    additionalProperties: s['additionalProperties'],
  });
}

function defaultOf(s: JsonSchema, required: boolean): string {
  if (required) return '**required**';
  return 'default' in s ? code(s['default']) : '(none)';
}

function table(section: Section, seen: Map<string, string>): string[] {
  const required = new Set(Array.isArray(section.schema['required']) ? (section.schema['required'] as string[]) : []);
  const rows = ['| key | type | default | description |', '|---|---|---|---|'];
  for (const [key, s] of properties(section.schema)) {
    const path = section.path ? `${section.path}.${key}` : key;
    const description = typeof s['description'] === 'string' ? s['description'] : '';
    rows.push(
      `| ${code(key)} | ${cell(typeOf(s, path, seen))} | ${cell(defaultOf(s, required.has(key)))} | ${cell(description)} |`,
    );
  }
  return rows;
}

/** Depth-first: an object, then each of its object-valued keys (those with keys of their own, once per shape). */
function sections(root: Section, seen: Map<string, string>): Section[] {
  const out: Section[] = [root];
  for (const [key, s] of properties(root.schema)) {
    const path = root.path ? `${root.path}.${key}` : key;
    if (s['type'] !== 'object' || properties(s).length === 0 || seen.has(shapeKey(s))) continue;
    seen.set(shapeKey(s), path);
    out.push(...sections({ path, schema: s }, seen));
  }
  return out;
}

/**
 * The objects of the `if modality is M then ...` branches of an experiment schema, one section per
 * modality and shape: objects of one modality with the same keys (`train.augment`, `eval.tta.augment`)
 * share a section.
 */
function conditionalSections(schema: JsonSchema): { heading: string; section: Section }[] {
  const out: { heading: string; paths: string[]; modality: string; key: string; section: Section }[] = [];
  for (const branch of Array.isArray(schema['allOf']) ? schema['allOf'].map(asSchema) : []) {
    const modality = asSchema(asSchema(asSchema(branch['if'])['properties'])['modality'])['const'];
    if (typeof modality !== 'string') continue;
    const walk = (s: JsonSchema, path: string): void => {
      for (const [key, child] of properties(s)) {
        const p = path ? `${path}.${key}` : key;
        if (
          child['type'] !== 'object' ||
          Object.keys(child).some((k) => k === 'additionalProperties' || k === 'maxProperties')
        ) {
          const shape = shapeKey(child);
          const same = out.find((o) => o.modality === modality && o.key === shape);
          if (same) same.paths.push(p);
          else out.push({ heading: '', paths: [p], modality, key: shape, section: { path: p, schema: child } });
        } else walk(child, p);
      }
    };
    walk(asSchema(branch['then']), '');
  }
  return out.map((o) => ({
    heading: `${o.paths.map(code).join(' and ')} of modality ${code(o.modality)}`,
    section: o.section,
  }));
}

/**
 * A Markdown reference of every key of a JSON Schema generated from zod (type, range, default,
 * description), one table per object, followed by the modality-specific objects of its
 * `if modality is M` branches.
 */
export function configurationReference(schema: JsonSchema, options: ReferenceOptions): string {
  const lines: string[] = [`# ${options.title}`, ''];
  for (const p of options.intro) lines.push(p, '');
  const seen = new Map<string, string>();
  for (const section of sections({ path: '', schema }, seen)) {
    lines.push(`## ${section.path ? code(section.path) : 'Top level'}`, '');
    const description =
      section.path && typeof section.schema['description'] === 'string' ? section.schema['description'] : '';
    if (description) lines.push(description, '');
    lines.push(...table(section, seen), '');
  }
  for (const { heading, section } of conditionalSections(schema)) {
    lines.push(`## ${heading}`, '');
    const description = typeof section.schema['description'] === 'string' ? section.schema['description'] : '';
    if (description) lines.push(description, '');
    if (properties(section.schema).length > 0) lines.push(...table(section, new Map()), '');
    else if (!description) lines.push('No keys: leave it empty (`{}`).', '');
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}
