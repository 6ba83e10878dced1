import path from 'node:path';
import { createContainer } from '../container.js';
import type { Modality } from '../modality.js';
import { writeAtomic } from '../model/model-io.js';
import { accuracyChart, lineChart, type AccuracyRow, type Series } from './html-charts.js';
import { HTML_STYLE } from './html-style.js';
import { esc, pct } from './html-svg.js';
import { thumbnails, type Thumbnail } from './html-thumbnails.js';
import type { BenchCellResult, BenchResults, BenchTaskResult } from './results-schema.js';

export interface HtmlReportOptions {
  /**
   * Modalities that draw the confusion thumbnails (`Modality.thumbnail`); default: those of core's
   * built-in plugins (none when they cannot be loaded). `[]`: no thumbnails.
   */
  readonly modalities?: readonly Modality[];
  /** Most-confused class pairs shown per task (default 8). */
  readonly confusionsPerTask?: number;
}

/**
 * report.html of a bench: one self-contained page (inline CSS and SVG, thumbnails as data: URLs, no
 * script, nothing fetched) with, per task, accuracy with its 95% CI per cell, accuracy against ways
 * and shots (a line per method), the paired comparisons and the most-confused classes with pictures
 * of both; then the training curves of every trained model and the environment.
 */
export async function renderHtmlReport(results: BenchResults, options: HtmlReportOptions = {}): Promise<string> {
  const modalities = options.modalities ?? (await builtinModalities());
  const perTask = options.confusionsPerTask ?? 8;
  const taskById = new Map(results.tasks.map((t) => [t.id, t]));
  const methodIndex = new Map(results.methods.map((m, i) => [m.id, i]));
  const names = [...new Set(results.tasks.map((t) => t.task))];
  const cellsOf = (name: string): BenchCellResult[] => results.cells.filter((c) => taskById.get(c.task)?.task === name);

  const confusions = new Map(names.map((n) => [n, topConfusions(cellsOf(n), perTask)]));
  const files = new Map<string, BenchCellResult>();
  for (const list of confusions.values()) {
    for (const c of list) {
      if (!files.has(c.labelExample)) files.set(c.labelExample, c.cell);
      if (!files.has(c.predictedExample)) files.set(c.predictedExample, c.cell);
    }
  }
  const thumbs = await thumbnails(results, files, modalities);

  const body: string[] = [];
  body.push(`<h1>${esc(results.bench.name)}</h1>`);
  const partial =
    results.cells.length < results.bench.cellsTotal ? ` (of ${results.bench.cellsTotal} in the bench)` : '';
  const shard = results.shard ? `; shard ${results.shard.index}/${results.shard.count}` : '';
  body.push(
    `<p class="meta">${results.cells.length} cells${esc(partial)}${esc(shard)}; bench file <code>${esc(results.bench.file)}</code>; generated ${esc(results.generatedAt)}; fewshot ${esc(results.environment.fewshotVersion)}, git ${esc(results.environment.gitCommit ?? 'none')}.</p>`,
  );
  body.push(
    '<nav><ul>' +
      names.map((n, i) => `<li><a href="#task-${i}">${esc(n)}</a></li>`).join('') +
      '<li><a href="#training">training curves</a></li><li><a href="#environment">environment</a></li></ul></nav>',
  );

  names.forEach((name, i) => {
    const tasks = results.tasks.filter((t) => t.task === name);
    const cells = cellsOf(name);
    body.push(`<section class="task" id="task-${i}"><h2>${esc(name)} <small>${esc(tasks[0]!.modality)}</small></h2>`);
    body.push(protocolTable(tasks));
    if (cells.length === 0) {
      body.push('<p>No finished cells.</p></section>');
      return;
    }
    const rows: AccuracyRow[] = cells.map((c) => ({
      label: `${c.method} · ${c.ways}-way ${c.shots}-shot`,
      methodIndex: methodIndex.get(c.method) ?? 0,
      accuracy: c.accuracy,
      ci95: c.ci95,
      chance: 1 / c.ways,
      domain: c.domain,
      title: `${c.id}: ${pct(c.accuracy)}% ± ${pct(c.ci95)} (95% CI), ${c.episodes} episodes; ${c.domain}: ${c.source} → ${c.target}; ${c.modelKind}`,
    }));
    body.push(
      `<figure>${accuracyChart(rows, `accuracy of each cell of ${name}`)}<figcaption>Accuracy with 95% CI per cell. Filled dot: in-domain; open: cross-domain; grey: untrained baseline.</figcaption></figure>`,
    );
    body.push(sweeps(name, cells, methodIndex));
    body.push(comparisonsTable(results, tasks));
    body.push(confusionsTable(confusions.get(name)!, thumbs));
    body.push('</section>');
  });

  body.push(trainingSection(results, methodIndex));
  body.push(environmentSection(results));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(results.bench.name)}: fewshot bench report</title>
<style>${HTML_STYLE}</style>
</head>
<body>
${body.join('\n')}
</body>
</html>
`;
}

/** Write DIR/report.html (atomically) for `results`. */
export async function writeHtmlReport(
  dir: string,
  results: BenchResults,
  options: HtmlReportOptions = {},
): Promise<string> {
  const file = path.join(dir, 'report.html');
  await writeAtomic(file, await renderHtmlReport(results, options));
  return file;
}

async function builtinModalities(): Promise<readonly Modality[]> {
  try {
    return (await createContainer()).registry.modalities;
  } catch {
    return [];
  }
}

function protocolTable(tasks: readonly BenchTaskResult[]): string {
  const t0 = tasks[0]!;
  const data = [
    t0.data.path,
    t0.data.include ? `include ${t0.data.include.join(', ')}` : '',
    t0.data.exclude ? `exclude ${t0.data.exclude.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  const rows = tasks.map(
    (t) =>
      `<tr><td>${esc(t.id)}</td><td>${esc(t.kind)}</td><td>${t.ways}</td><td>${t.shots}</td><td>${t.queries}</td><td>${t.episodes}</td><td>${t.seed}</td><td>${t.classes}</td><td>${t.samples}</td></tr>`,
  );
  return `<p class="meta">Data: <code>${esc(data)}</code></p><table class="protocol"><thead><tr><th>task</th><th>kind</th><th>ways</th><th>shots</th><th>queries</th><th>episodes</th><th>seed</th><th>classes</th><th>samples</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Accuracy against ways (a line per method and shots) and against shots (a line per method and ways), where the grid has more than one value. */
function sweeps(name: string, cells: readonly BenchCellResult[], methodIndex: ReadonlyMap<string, number>): string {
  const charts: string[] = [];
  for (const [axis, other] of [
    ['ways', 'shots'],
    ['shots', 'ways'],
  ] as const) {
    const values = [...new Set(cells.map((c) => c[axis]))].sort((a, b) => a - b);
    if (values.length < 2) continue;
    const others = [...new Set(cells.map((c) => c[other]))].sort((a, b) => a - b);
    const series: Series[] = [];
    for (const [method, mi] of methodIndex) {
      for (const [oi, o] of others.entries()) {
        const pts = cells.filter((c) => c.method === method && c[other] === o);
        if (pts.length === 0) continue;
        series.push({
          name: others.length > 1 ? `${method}, ${o}-${other === 'ways' ? 'way' : 'shot'}` : method,
          colourIndex: mi,
          dash: oi,
          points: pts.map((c) => ({
            x: c[axis],
            y: c.accuracy,
            ci95: c.ci95,
            title: `${c.id}: ${pct(c.accuracy)}% ± ${pct(c.ci95)}`,
          })),
        });
      }
    }
    charts.push(
      lineChart(series, {
        caption: `${name}: accuracy against ${axis}`,
        xLabel: axis,
        yLabel: 'accuracy (%)',
        yDomain: [0, 1],
        percent: true,
        xTicks: values,
      }),
    );
  }
  return charts.length > 0
    ? `<figure class="sweeps">${charts.join('')}<figcaption>Accuracy against ways and shots, 95% CI as bars.</figcaption></figure>`
    : '';
}

function comparisonsTable(results: BenchResults, tasks: readonly BenchTaskResult[]): string {
  const ids = new Set(tasks.map((t) => t.id));
  const rows = results.comparisons.filter((c) => ids.has(c.task));
  if (rows.length === 0) return '';
  const tr = rows.map((c) => {
    const sig = Math.abs(c.meanDifference) > c.ci95 ? ' class="sig"' : '';
    return `<tr${sig}><td>${esc(c.task)}</td><td>${esc(c.a)} − ${esc(c.b)}</td><td>${c.meanDifference >= 0 ? '+' : ''}${pct(c.meanDifference)} ± ${pct(c.ci95)}</td><td>${c.episodes}</td></tr>`;
  });
  return `<h3>Paired comparisons</h3><table class="comparisons"><thead><tr><th>task</th><th>methods</th><th>difference (points, 95% CI)</th><th>episodes</th></tr></thead><tbody>${tr.join('')}</tbody></table>`;
}

interface Confusion {
  readonly label: string;
  readonly predicted: string;
  count: number;
  readonly labelExample: string;
  readonly predictedExample: string;
  readonly methods: Set<string>;
  readonly cell: BenchCellResult;
}

/** The most frequent (true, predicted) pairs over the cells of one task, summed over its methods and grid points. */
function topConfusions(cells: readonly BenchCellResult[], n: number): Confusion[] {
  const byPair = new Map<string, Confusion>();
  for (const cell of cells) {
    for (const c of cell.confusions) {
      const key = `${c.label}\u0000${c.predicted}`;
      const seen = byPair.get(key);
      if (seen) {
        seen.count += c.count;
        seen.methods.add(cell.method);
      } else {
        byPair.set(key, {
          label: c.label,
          predicted: c.predicted,
          count: c.count,
          labelExample: c.labelExample,
          predictedExample: c.predictedExample,
          methods: new Set([cell.method]),
          cell,
        });
      }
    }
  }
  return [...byPair.values()]
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label) || a.predicted.localeCompare(b.predicted))
    .slice(0, n);
}

function confusionsTable(list: readonly Confusion[], thumbs: ReadonlyMap<string, Thumbnail>): string {
  if (list.length === 0) return '';
  const pic = (file: string, label: string): string => {
    const t = thumbs.get(file);
    const img =
      t && 'url' in t
        ? `<img class="thumb" src="${t.url}" alt="${esc(label)}" title="${esc(file)}">`
        : `<span class="no-thumb" title="${esc(t && 'missing' in t ? t.missing : file)}">no picture</span>`;
    return `<figure class="example">${img}<figcaption>${esc(label)}</figcaption></figure>`;
  };
  const rows = list.map(
    (c) =>
      `<tr class="confusion"><td>${c.count}</td><td>${pic(c.labelExample, c.label)}</td><td class="arrow">→</td><td>${pic(c.predictedExample, c.predicted)}</td><td>${esc([...c.methods].join(', '))}</td></tr>`,
  );
  return `<h3>Most-confused classes</h3><table class="confusions"><thead><tr><th>wrong answers</th><th>true class</th><th></th><th>taken for</th><th>methods</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Loss and validation accuracy per epoch of every trained model (once per model key). */
function trainingSection(results: BenchResults, methodIndex: ReadonlyMap<string, number>): string {
  const models = new Map<string, { methods: Set<string>; cell: BenchCellResult }>();
  for (const c of results.cells) {
    if (!c.training) continue;
    const m = models.get(c.training.modelKey);
    if (m) m.methods.add(c.method);
    else models.set(c.training.modelKey, { methods: new Set([c.method]), cell: c });
  }
  if (models.size === 0)
    return '<section id="training"><h2>Training curves</h2><p>No method of these cells was trained.</p></section>';
  const loss: Series[] = [];
  const val: Series[] = [];
  const notes: string[] = [];
  for (const [key, { methods, cell }] of models) {
    const t = cell.training!;
    const name = `${[...methods].join(', ')} (${key.slice(0, 8)})`;
    const colourIndex = methodIndex.get(cell.method) ?? 0;
    loss.push({ name, colourIndex, points: t.history.map((e) => ({ x: e.epoch, y: e.loss })) });
    const v = t.history
      .filter((e) => e.valAccuracy !== null)
      .map((e) => ({ x: e.epoch, y: e.valAccuracy!, ...(e.valCi95 !== null ? { ci95: e.valCi95 } : {}) }));
    if (v.length > 0) val.push({ name, colourIndex, points: v });
    notes.push(
      `<li><code>${esc(t.model)}</code>: ${esc([...methods].join(', '))}; ${t.history.length} epochs, best epoch ${esc(t.bestEpoch ?? 'none')}${t.bestValAccuracy !== null ? ` (${pct(t.bestValAccuracy)}% validation accuracy)` : ''}; stopped: ${esc(t.stoppedBecause)}; ${cell.timings.trainSeconds !== null ? `${cell.timings.trainSeconds.toFixed(0)} s` : ''}</li>`,
    );
  }
  const charts = [lineChart(loss, { caption: 'training loss per epoch', xLabel: 'epoch', yLabel: 'loss' })];
  if (val.length > 0)
    charts.push(
      lineChart(val, {
        caption: 'validation accuracy per epoch',
        xLabel: 'epoch',
        yLabel: 'validation accuracy (%)',
        yDomain: [0, 1],
        percent: true,
      }),
    );
  return `<section id="training"><h2>Training curves</h2><figure class="curves">${charts.join('')}<figcaption>Loss and validation accuracy per epoch, one line per trained model.</figcaption></figure><ul>${notes.join('')}</ul></section>`;
}

function environmentSection(results: BenchResults): string {
  const e = results.environment;
  const rows: [string, string][] = [
    ['fewshot', e.fewshotVersion],
    ['node', e.node],
    ['tfjs', e.tfjs],
    ...Object.entries(e.backendPackages).map(([k, v]): [string, string] => [k, v]),
    ['cpu', `${e.cpu} (${e.cpus} cores)`],
    ['platform', e.platform],
    ['git commit', e.gitCommit ?? 'none'],
    ['package-lock.json sha256', e.lockfileHash ?? 'none'],
    ['bench hash', results.bench.hash],
    ['backends of the cells', [...new Set(results.cells.map((c) => c.backend))].join(', ')],
  ];
  return `<section id="environment"><h2>Environment</h2><table class="environment"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table></section>`;
}
