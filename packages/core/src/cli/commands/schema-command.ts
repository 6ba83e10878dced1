import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import type { experimentJsonSchema } from '../../schema/experiment-json-schema.js';
import type { CliIo, GlobalArgs } from '../command-context.js';

const KINDS = ['experiment', 'bench'] as const;
type Kind = (typeof KINDS)[number];

interface Args extends GlobalArgs {
  kind: Kind;
  out?: string;
  format: 'json' | 'markdown';
  plugin?: string[];
}

/** The schema of `kind` as JSON, or its Markdown reference. */
async function render(
  kind: Kind,
  format: Args['format'],
  modalities: Parameters<typeof experimentJsonSchema>[0],
): Promise<string> {
  const { renderJsonSchema } = await import('../../schema/json-schema.js');
  if (kind === 'experiment') {
    const { experimentJsonSchema } = await import('../../schema/experiment-json-schema.js');
    const { experimentReference } = await import('../../schema/experiment-reference.js');
    return format === 'markdown' ? experimentReference(modalities) : renderJsonSchema(experimentJsonSchema(modalities));
  }
  const { benchJsonSchema } = await import('../../schema/bench-json-schema.js');
  const { configurationReference } = await import('../../schema/configuration-reference.js');
  const schema = benchJsonSchema(modalities);
  if (format === 'json') return renderJsonSchema(schema);
  return configurationReference(schema, {
    title: 'Bench file reference',
    intro: ['Generated from packages/core/src/bench/bench-schema.ts by `fewshot schema bench --format markdown`.'],
  });
}

export function schemaCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'schema [kind]',
    describe:
      'Print the JSON Schema of experiment or bench YAML (for editors and validators), or its Markdown reference',
    builder: (y) =>
      y
        .positional('kind', {
          choices: KINDS,
          default: 'experiment' as Kind,
          describe: 'which YAML files the schema describes',
        })
        .option('out', { type: 'string', describe: 'write to this file (folders created) instead of stdout' })
        .option('format', {
          choices: ['json', 'markdown'] as const,
          default: 'json' as const,
          describe: 'json: JSON Schema (draft-07); markdown: the configuration reference',
        })
        .option('plugin', {
          type: 'string',
          array: true,
          describe: "also load this plugin (package name or path): its modalities' settings join the schema",
        }) as never,
    handler: async (args) => {
      const { createContainer } = await import('../../container.js');
      const { registry } = await createContainer(args.plugin ?? [], process.cwd());
      const text = await render(args.kind, args.format, registry.modalities);
      if (!args.out) {
        io.out.write(text);
        return;
      }
      const file = path.resolve(args.out);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      io.err.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
    },
  };
}
