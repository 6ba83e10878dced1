import type { CommandModule } from 'yargs';
import { createContainer } from '../../container.js';
import type { CliIo, GlobalArgs } from '../command-context.js';

interface Args extends GlobalArgs {
  plugin?: string[];
}

export function pluginsCommand(io: CliIo): CommandModule<GlobalArgs, Args> {
  return {
    command: 'plugins',
    describe: 'List the loaded plugins with their modalities, encoders, baselines and training objectives',
    builder: (y) =>
      y
        .option('plugin', { type: 'string', array: true, describe: 'also load this plugin (package name or path)' })
        .option('json', { type: 'boolean', default: false, describe: 'print one JSON object' }),
    handler: async (args) => {
      const c = await createContainer(args.plugin ?? [], process.cwd());
      const report = {
        plugins: c.plugins.map((p) => ({ spec: p.spec, resolved: p.resolved, builtin: p.builtin })),
        modalities: c.registry.modalities.map((m) => ({ id: m.id, description: m.description, layouts: m.layouts, defaultEncoder: m.defaultEncoder, info: m.info?.() ?? {} })),
        encoders: c.registry.encoders.map((e) => ({ id: e.id, description: e.description, modalities: e.modalities, preferredInput: e.preferredInput ?? null })),
        baselines: c.registry.baselines.map((b) => ({ id: b.id, description: b.description, modalities: b.modalities })),
        objectives: c.registry.objectives.map((o) => ({ id: o.id, description: o.description, heads: o.heads ?? [] })),
      };
      if (args.json) {
        io.out.write(JSON.stringify(report, null, 2) + '\n');
        return;
      }
      const lines = ['plugins:'];
      for (const p of report.plugins) lines.push(`  ${p.spec}${p.builtin ? ' (built-in)' : ''}  ${p.resolved}`);
      lines.push('modalities:');
      for (const m of report.modalities) {
        lines.push(`  ${m.id}: ${m.description}`, `    layouts: ${m.layouts.join(', ')}; default encoder: ${m.defaultEncoder}`);
        for (const [k, v] of Object.entries(m.info)) lines.push(`    ${k}: ${v}`);
      }
      lines.push('encoders:');
      for (const e of report.encoders) lines.push(`  ${e.id}: ${e.description}${e.preferredInput ? ` (input ${e.preferredInput.join('x')})` : ''}`);
      lines.push('baselines (fewshot eval --baseline ID):');
      for (const b of report.baselines) lines.push(`  ${b.id}: ${b.description}${b.modalities.length ? ` (${b.modalities.join(', ')})` : ''}`);
      lines.push('objectives (train.objective):');
      for (const o of report.objectives) lines.push(`  ${o.id}: ${o.description}${o.heads.length ? ` (model.head: ${o.heads.join(' or ')})` : ''}`);
      io.out.write(lines.join('\n') + '\n');
    },
  };
}
