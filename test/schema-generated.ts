// The generated files (JSON Schema, configuration reference) as the code would write them now, and a
// check that the committed copies under a repository root are the same.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  BENCH_SCHEMA_FILE,
  CONFIGURATION_REFERENCE_FILE,
  EXPERIMENT_SCHEMA_FILE,
  benchJsonSchema,
  createContainer,
  experimentJsonSchema,
  experimentReference,
  renderJsonSchema,
  type JsonSchema,
} from '@fewshot/core';

/** The experiment JSON Schema with the built-in plugins' modalities. */
export async function builtInExperimentSchema(): Promise<JsonSchema> {
  const { registry } = await createContainer([]);
  return experimentJsonSchema(registry.modalities);
}

/** Repository path -> content `npm run docs:generate` writes. */
export async function generatedFiles(): Promise<Record<string, string>> {
  const { registry } = await createContainer([]);
  return {
    [EXPERIMENT_SCHEMA_FILE]: renderJsonSchema(experimentJsonSchema(registry.modalities)),
    [BENCH_SCHEMA_FILE]: renderJsonSchema(benchJsonSchema(registry.modalities)),
    [CONFIGURATION_REFERENCE_FILE]: experimentReference(registry.modalities),
  };
}

/** The files under `root` that are missing or differ from what the code generates now. */
export function staleFiles(root: string, expected: Record<string, string>): string[] {
  return Object.entries(expected)
    .filter(([file, content]) => {
      const p = path.join(root, file);
      return !existsSync(p) || readFileSync(p, 'utf8') !== content;
    })
    .map(([file]) => file);
}

export const REGENERATE = 'run `npm run docs:generate` and commit the result';
