import { createContainer } from '../container.js';

/** What `fewshot plugins` reports: the loaded plugins and everything they provide. */
export interface PluginReport {
  readonly plugins: readonly { spec: string; resolved: string; builtin: boolean }[];
  readonly modalities: readonly {
    id: string;
    description: string;
    layouts: readonly string[];
    defaultEncoder: string;
    info: Record<string, string>;
  }[];
  readonly encoders: readonly {
    id: string;
    description: string;
    modalities: readonly string[];
    preferredInput: readonly number[] | null;
  }[];
  readonly baselines: readonly { id: string; description: string; modalities: readonly string[] }[];
  readonly objectives: readonly { id: string; description: string; heads: readonly string[] }[];
}

/**
 * Load the built-in plugins and `plugins` (package names or paths relative to `baseDir`) and list what
 * they provide: modalities, encoders, baselines (core's `pixel` included) and training objectives.
 */
export async function listPlugins(plugins: readonly string[] = [], baseDir = process.cwd()): Promise<PluginReport> {
  const c = await createContainer(plugins, baseDir);
  return {
    plugins: c.plugins.map((p) => ({ spec: p.spec, resolved: p.resolved, builtin: p.builtin })),
    modalities: c.registry.modalities.map((m) => ({
      id: m.id,
      description: m.description,
      layouts: m.layouts,
      defaultEncoder: m.defaultEncoder,
      info: m.info?.() ?? {},
    })),
    encoders: c.registry.encoders.map((e) => ({
      id: e.id,
      description: e.description,
      modalities: e.modalities,
      preferredInput: e.preferredInput ?? null,
    })),
    baselines: c.registry.baselines.map((b) => ({ id: b.id, description: b.description, modalities: b.modalities })),
    objectives: c.registry.objectives.map((o) => ({ id: o.id, description: o.description, heads: o.heads ?? [] })),
  };
}

/** The plain-text listing `fewshot plugins` prints. */
export function formatPluginReport(report: PluginReport): string {
  const lines = ['plugins:'];
  for (const p of report.plugins) lines.push(`  ${p.spec}${p.builtin ? ' (built-in)' : ''}  ${p.resolved}`);
  lines.push('modalities:');
  for (const m of report.modalities) {
    lines.push(
      `  ${m.id}: ${m.description}`,
      `    layouts: ${m.layouts.join(', ')}; default encoder: ${m.defaultEncoder}`,
    );
    for (const [k, v] of Object.entries(m.info)) lines.push(`    ${k}: ${v}`);
  }
  lines.push('encoders:');
  for (const e of report.encoders)
    lines.push(`  ${e.id}: ${e.description}${e.preferredInput ? ` (input ${e.preferredInput.join('x')})` : ''}`);
  lines.push('baselines (fewshot eval --baseline ID):');
  for (const b of report.baselines)
    lines.push(`  ${b.id}: ${b.description}${b.modalities.length ? ` (${b.modalities.join(', ')})` : ''}`);
  lines.push('objectives (train.objective):');
  for (const o of report.objectives)
    lines.push(`  ${o.id}: ${o.description}${o.heads.length ? ` (model.head: ${o.heads.join(' or ')})` : ''}`);
  return lines.join('\n') + '\n';
}
