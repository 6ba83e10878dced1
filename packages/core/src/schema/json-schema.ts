import { z } from 'zod';

/** A JSON Schema document or sub-schema, as plain JSON. */
export type JsonSchema = { [key: string]: unknown };

/**
 * The JSON Schema (draft-07, the draft editors' YAML support knows best) of what a user may write for
 * `schema`: its input side, so keys with defaults are optional and transforms are looked through.
 * `$schema` is left out, for embedding in another schema.
 */
export function zodToJsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** A schema as the text of a committed `.schema.json` file: two-space JSON and a final newline. */
export function renderJsonSchema(schema: JsonSchema): string {
  return JSON.stringify(schema, null, 2) + '\n';
}
