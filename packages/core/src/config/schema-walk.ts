import type { z } from 'zod';

/**
 * Walks a zod 4 schema along a data path (the path of a validation issue), looking through the
 * wrappers (optional, default, prefault, nullable, pipe, lazy, ...) so that the allowed keys or the
 * number format at that point can be read. Unions and intersections yield every member.
 */
type AnySchema = z.core.$ZodType;

interface LooseDef {
  type: string;
  innerType?: AnySchema;
  shape?: Record<string, AnySchema>;
  catchall?: AnySchema;
  element?: AnySchema;
  items?: readonly AnySchema[];
  rest?: AnySchema | null;
  valueType?: AnySchema;
  options?: readonly AnySchema[];
  left?: AnySchema;
  right?: AnySchema;
  in?: AnySchema;
  getter?: () => AnySchema;
  format?: string;
  checks?: readonly { _zod: { def: { format?: string } } }[];
}

const WRAPPERS = new Set([
  'optional',
  'nullable',
  'default',
  'prefault',
  'readonly',
  'catch',
  'nonoptional',
  'success',
]);
const INT_FORMATS = new Set(['safeint', 'int32', 'uint32']);

function defOf(schema: AnySchema): LooseDef {
  return schema._zod.def as unknown as LooseDef;
}

/** The concrete schemas behind `schema`: wrappers peeled off, unions and intersections expanded. */
export function unwrapSchema(schema: AnySchema, depth = 0): AnySchema[] {
  if (depth > 50) return [];
  const def = defOf(schema);
  if (WRAPPERS.has(def.type) && def.innerType) return unwrapSchema(def.innerType, depth + 1);
  if (def.type === 'pipe' && def.in) return unwrapSchema(def.in, depth + 1);
  if (def.type === 'lazy' && def.getter) return unwrapSchema(def.getter(), depth + 1);
  if (def.type === 'union' && def.options) return def.options.flatMap((o) => unwrapSchema(o, depth + 1));
  if (def.type === 'intersection' && def.left && def.right) {
    return [...unwrapSchema(def.left, depth + 1), ...unwrapSchema(def.right, depth + 1)];
  }
  return [schema];
}

function child(schema: AnySchema, key: PropertyKey): AnySchema[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = def.shape ?? {};
      if (typeof key === 'string' && Object.hasOwn(shape, key)) return [shape[key]!];
      return def.catchall && defOf(def.catchall).type !== 'never' ? [def.catchall] : [];
    }
    case 'array':
      return def.element ? [def.element] : [];
    case 'tuple': {
      const item = typeof key === 'number' ? def.items?.[key] : undefined;
      return item ? [item] : def.rest ? [def.rest] : [];
    }
    case 'record':
      return def.valueType ? [def.valueType] : [];
    default:
      return [];
  }
}

/** The concrete schemas that validate the value at `path`. */
export function schemasAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema[] {
  let current = unwrapSchema(root);
  for (const key of path) current = current.flatMap((s) => child(s, key)).flatMap((s) => unwrapSchema(s));
  return current;
}

/** The keys an object schema allows at `path` (empty when there is no object schema there). */
export function allowedKeysAt(root: AnySchema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(root, path)) {
    const def = defOf(s);
    if (def.type === 'object') for (const k of Object.keys(def.shape ?? {})) keys.add(k);
  }
  return [...keys];
}

/** Whether the number expected at `path` must be an integer (z.int(), z.number().int(), ...). */
export function expectsIntegerAt(root: AnySchema, path: readonly PropertyKey[]): boolean {
  return schemasAt(root, path).some((s) => {
    const def = defOf(s);
    if (def.type !== 'number') return false;
    if (def.format && INT_FORMATS.has(def.format)) return true;
    return (def.checks ?? []).some((c) => INT_FORMATS.has(c._zod.def.format ?? ''));
  });
}
