import type { BenchCellResult, BenchResults } from './results-schema.js';

const pct = (x: number, d = 1): string => (x * 100).toFixed(d);

const CSV_COLUMNS = [
  'id',
  'method',
  'methodKind',
  'task',
  'source',
  'target',
  'domain',
  'ways',
  'shots',
  'queries',
  'episodes',
  'accuracy',
  'ci95',
  'backend',
  'modelKind',
  'seed',
  'trainSeconds',
  'decodeSeconds',
  'evalSeconds',
  'key',
] as const;

/** results.csv: one row per cell. */
export function resultsCsv(results: BenchResults): string {
  const esc = (v: string | number | boolean | null | undefined): string => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const row = (c: BenchCellResult): string =>
    CSV_COLUMNS.map((k) =>
      esc(k === 'trainSeconds' || k === 'decodeSeconds' || k === 'evalSeconds' ? c.timings[k] : c[k]),
    ).join(',');
  return [CSV_COLUMNS.join(','), ...results.cells.map(row)].join('\n') + '\n';
}

/**
 * report.md: per task, a table of methods x (ways, shots) with accuracy ± 95% CI in percent, the
 * domain each method learned on, then the paired comparisons; headed by the protocol and environment.
 */
export function reportMarkdown(results: BenchResults): string {
  const env = results.environment;
  const lines: string[] = [
    `# ${results.bench.name}: few-shot benchmark`,
    '',
    `Produced by \`fewshot bench\` (${results.cells.length} of ${results.bench.cellsTotal} cells; bench ${results.bench.hash}). ` +
      `Accuracy in % ± the half-width of the 95% confidence interval over episodes; every method of a task is scored on the same episodes (\`episodes/*.jsonl\`). ` +
      `Domain: **in** = trained on the task's domain, **cross** = trained on another (source → target), **none** = not trained.`,
    '',
    `Environment: fewshot ${env.fewshotVersion}, node ${env.node}, tfjs ${env.tfjs}, ${env.cpu} (${env.cpus} cores), ${env.platform}` +
      (env.gitCommit ? `, commit ${env.gitCommit.slice(0, 10)}` : '') +
      '.',
    '',
  ];
  const tasksByName = new Map<string, BenchResults['tasks'][number][]>();
  for (const t of results.tasks) tasksByName.set(t.task, [...(tasksByName.get(t.task) ?? []), t]);
  for (const [name, grid] of tasksByName) {
    const t0 = grid[0]!;
    const where =
      t0.kind === 'runs'
        ? `explicit runs in ${t0.data.path}`
        : `${t0.data.path}` +
          (t0.data.include ? ` (only ${t0.data.include.join(', ')})` : '') +
          (t0.data.exclude ? ` (without ${t0.data.exclude.join(', ')})` : '');
    lines.push(`## ${name}`, '');
    lines.push(
      `${t0.modality}; ${where}; ${t0.classes} classes, ${t0.samples} samples; ${t0.queries} ${t0.queries === 1 ? 'query' : 'queries'} per class, ${t0.episodes} episodes` +
        (t0.kind === 'episodes' ? `, seed ${t0.seed}` : '') +
        (t0.within ? `, classes within one ${t0.within}` : '') +
        (t0.across ? `, support and queries from different ${t0.across}s` : '') +
        '.',
      '',
    );
    const cols = grid.map((t) => ({ id: t.id, head: `${t.ways}-way ${t.shots}-shot` }));
    const cells = results.cells.filter((c) => grid.some((t) => t.id === c.task));
    const methods = [...new Set(cells.map((c) => c.method))];
    lines.push(`| method | domain | ${cols.map((c) => c.head).join(' | ')} |`);
    lines.push(`|---|---|${cols.map(() => '---:').join('|')}|`);
    for (const m of methods) {
      const mine = cells.filter((c) => c.method === m);
      const first = mine[0]!;
      const domain =
        first.domain === 'untrained'
          ? 'none'
          : first.domain === 'in-domain'
            ? `in (${first.source})`
            : `cross (${first.source} → ${first.target})`;
      const values = cols.map((col) => {
        const c = mine.find((x) => x.task === col.id);
        return c ? `${pct(c.accuracy)} ± ${pct(c.ci95)}` : '';
      });
      lines.push(`| ${m} (${first.modelKind}) | ${domain} | ${values.join(' | ')} |`);
    }
    lines.push('');
    const comps = results.comparisons.filter((c) => grid.some((t) => t.id === c.task));
    if (comps.length > 0) {
      lines.push('Paired differences (a − b, points, same episodes):', '');
      lines.push('| setting | a | b | a − b |', '|---|---|---|---:|');
      for (const c of comps)
        lines.push(
          `| ${cols.find((x) => x.id === c.task)!.head} | ${c.a} | ${c.b} | ${c.meanDifference >= 0 ? '+' : ''}${pct(c.meanDifference)} ± ${pct(c.ci95)} |`,
        );
      lines.push('');
    }
  }
  return lines.join('\n');
}
