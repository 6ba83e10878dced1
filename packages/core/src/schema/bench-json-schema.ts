import { BenchSchema } from '../bench/bench-schema.js';
import type { Modality } from '../modality.js';
import { zodToJsonSchema, type JsonSchema } from './json-schema.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** `if the task's modality is M then its preprocess follows M's schema`, one branch per modality. */
function taskBranch(modality: Modality): JsonSchema {
  return {
    if: { type: 'object', properties: { modality: { const: modality.id } }, required: ['modality'] },
    then: { type: 'object', properties: { preprocess: zodToJsonSchema(modality.preprocessSchema) } },
  };
}

/**
 * The JSON Schema of bench YAML (`fewshot bench BENCH.yaml`), generated from `BenchSchema`. A task's
 * `preprocess` follows its modality's schema for each of `modalities` (sorted by id); a method's
 * `preprocess` and `set` stay open (they depend on the task and experiment they meet).
 */
export function benchJsonSchema(modalities: readonly Modality[] = []): JsonSchema {
  const body = zodToJsonSchema(BenchSchema);
  const sorted = [...modalities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const tasks = body['properties'] as Record<string, JsonSchema> | undefined;
  const task = tasks?.['tasks']?.['additionalProperties'] as JsonSchema | undefined;
  if (task && sorted.length > 0) task['allOf'] = sorted.map(taskBranch);
  return {
    $schema: DRAFT_07,
    title: 'fewshot bench',
    description:
      'A bench YAML file of fewshot: tasks, methods and the cells that pair them (generated from packages/core/src/bench/bench-schema.ts by `fewshot schema bench`).',
    ...body,
  };
}
