import { ExperimentSchema } from '../config/experiment-schema.js';
import type { Modality } from '../modality.js';
import { zodToJsonSchema, type JsonSchema } from './json-schema.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** The modality an experiment gets when it names none (`modality`'s default in the zod schema). */
function defaultModality(): string {
  return ExperimentSchema.shape.modality.parse(undefined);
}

/** `train.augment` and `eval.tta.augment` of a modality: its augmentation schema, or nothing at all without one. */
function augmentOf(modality: Modality): JsonSchema {
  if (modality.augmentSchema) return zodToJsonSchema(modality.augmentSchema);
  return {
    type: 'object',
    maxProperties: 0,
    description: `The ${modality.id} modality has no augmentation: leave this empty.`,
  };
}

/**
 * `if modality is M then data.preprocess, train.augment and eval.tta.augment follow M's schemas`.
 * An experiment that names no modality gets the default one, so its branch applies then too.
 */
function modalityBranch(modality: Modality, fallback: string): JsonSchema {
  const object = (properties: Record<string, JsonSchema>): JsonSchema => ({ type: 'object', properties });
  const condition = object({ modality: { const: modality.id } });
  if (modality.id !== fallback) condition['required'] = ['modality'];
  const augment = augmentOf(modality);
  const then = object({
    data: object({ preprocess: zodToJsonSchema(modality.preprocessSchema) }),
    train: object({ augment }),
    eval: object({ tta: object({ augment }) }),
  });
  return { if: condition, then };
}

/**
 * The JSON Schema of experiment YAML, generated from `ExperimentSchema` (keys, types, ranges,
 * defaults, descriptions). `data.preprocess`, `model.encoderOptions` and `train.augment` stay open
 * objects (their keys belong to the modality or encoder), except that for each of `modalities`
 * (sorted by id) a conditional applies its own preprocessing and augmentation schemas when the
 * experiment's `modality` is that one.
 */
export function experimentJsonSchema(modalities: readonly Modality[] = []): JsonSchema {
  const body = zodToJsonSchema(ExperimentSchema);
  const fallback = defaultModality();
  const sorted = [...modalities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const schema: JsonSchema = {
    $schema: DRAFT_07,
    title: 'fewshot experiment',
    description:
      'An experiment YAML file of fewshot (generated from packages/core/src/config/experiment-schema.ts by `fewshot schema experiment`; reference: docs/configuration.md).',
    ...body,
  };
  if (sorted.length > 0) schema['allOf'] = sorted.map((m) => modalityBranch(m, fallback));
  return schema;
}
