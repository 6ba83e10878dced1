import { ConfigError, type z } from '@fewshot/core';

/**
 * Validate `value` with a zod schema and return the parsed result, turning zod's issues into one
 * ConfigError whose lines name the config path (`where.key: problem`).
 */
export function parseOptions<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  const [first, ...rest] = lines;
  throw new ConfigError(first ?? `${where}: invalid`, { hints: rest });
}
