import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { createContainer } from '../../container.js';
import { experimentJsonSchema } from '../../schema/experiment-json-schema.js';
import { experimentReference } from '../../schema/experiment-reference.js';
import { renderJsonSchema } from '../../schema/json-schema.js';
import type { CliIo, GlobalArgs } from '../command-context.js';

const KINDS = ['experiment'] as const;
type Kind = (typeof KINDS)[number];

interface Args extends GlobalArgs {
  kind: Kind;
  out?: string;
  format: 'json' | 'markdown';
  plugin?: string[];
}

export function schemaCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'schema [kind]',
    describe: 'Print the JSON Schema of experiment YAML (for editors and validators), or its Markdown reference',
    builder: (y) =>
      y
        .positional('kind', { choices: KINDS, default: 'experiment' as Kind, describe: 'which YAML files the schema describes' })
        .option('out', { type: 'string', describe: 'write to this file (folders created) instead of stdout' })
        .option('format', { choices: ['json', 'markdown'] as const, default: 'json' as const, describe: 'json: JSON Schema (draft-07); markdown: the configuration reference' })
        .option('plugin', { type: 'string', array: true, describe: "also load this plugin (package name or path): its modalities' settings join the schema" }) as never,
    handler: async (args) => {
      const { registry } = await createContainer(args.plugin ?? [], process.cwd());
      const text = args.format === 'markdown' ? experimentReference(registry.modalities) : renderJsonSchema(experimentJsonSchema(registry.modalities));
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
