import type { Modality } from '../modality.js';
import { configurationReference } from './configuration-reference.js';
import { experimentJsonSchema } from './experiment-json-schema.js';

/** Where the generated files live in the repository, relative to its root. */
export const EXPERIMENT_SCHEMA_FILE = 'schema/experiment.schema.json';
export const BENCH_SCHEMA_FILE = 'schema/bench.schema.json';
export const CONFIGURATION_REFERENCE_FILE = 'docs/configuration.md';

/**
 * docs/configuration.md: every key of experiment YAML with its type, default and description,
 * generated from `ExperimentSchema` (and the preprocessing schemas of `modalities`).
 */
export function experimentReference(modalities: readonly Modality[] = []): string {
  return configurationReference(experimentJsonSchema(modalities), {
    title: 'Configuration reference',
    intro: [
      '<!-- Generated from packages/core/src/config/experiment-schema.ts by `npm run docs:generate`; do not edit by hand. -->',
      'An experiment is one YAML file. Every key has a default except `data` (and a split to train or test on), ' +
        'so a minimal experiment names only its data. Unknown keys, wrong types and out-of-range values are reported ' +
        'with `file:line:col`, all at once, with a suggestion for a misspelt key. `--set key=value` on the command ' +
        'line overrides any key (`--set train.epochs=5`), and the resolved config is saved next to every result.',
      'Editors that read JSON Schema (VS Code with the YAML extension, and any editor with yaml-language-server) complete and ' +
        'check these keys when the file starts with `# yaml-language-server: $schema=../schema/experiment.schema.json` ' +
        '(the path relative to the YAML file), as every config in `config/` does. `fewshot schema experiment` prints the ' +
        'schema, including any plugin given with `--plugin`.',
      '`data.preprocess`, `model.encoderOptions` and `train.augment` belong to the modality or encoder chosen: ' +
        'their keys are listed per modality at the end of this page, and `fewshot plugins` lists the encoders.',
    ],
  });
}
