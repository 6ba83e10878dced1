import { colour, esc, linear, pct, px, tickLabel, ticks } from './html-svg.js';

/** One row of an accuracy chart: a cell's accuracy with its 95% CI. */
export interface AccuracyRow {
  readonly label: string;
  /** Index of the method (its colour). */
  readonly methodIndex: number;
  readonly accuracy: number;
  readonly ci95: number;
  /** Chance level (1 / ways), drawn as a tick. */
  readonly chance: number;
  readonly domain: 'in-domain' | 'cross-domain' | 'untrained';
  readonly title: string;
}

/**
 * Accuracy with 95% CI per cell, one row each (a forest plot): a dot at the accuracy and a bar over
 * the interval, on a 0-100% axis, with chance marked. Filled dots: in-domain, open: cross-domain,
 * grey centre: untrained baselines. Marks: `circle.acc-point` and `line.ci-bar`, one of each per row.
 */
export function accuracyChart(rows: readonly AccuracyRow[], caption: string): string {
  const left = 300;
  const right = 30;
  const width = 860;
  const rowH = 22;
  const top = 14;
  const height = top + rows.length * rowH + 34;
  const x = linear(0, 1, left, width - right);
  const bottom = top + rows.length * rowH;
  const parts: string[] = [];
  for (const t of ticks(0, 100, 10)) {
    parts.push(`<line class="grid" x1="${px(x(t / 100))}" x2="${px(x(t / 100))}" y1="${top}" y2="${bottom}"/>`);
    parts.push(
      `<text class="tick" x="${px(x(t / 100))}" y="${bottom + 14}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  parts.push(
    `<text class="axis-label" x="${px((left + width - right) / 2)}" y="${bottom + 30}" text-anchor="middle">accuracy (%), bars: 95% CI, |: chance</text>`,
  );
  rows.forEach((r, i) => {
    const y = top + i * rowH + rowH / 2;
    const c = colour(r.methodIndex);
    const lo = Math.max(0, r.accuracy - r.ci95);
    const hi = Math.min(1, r.accuracy + r.ci95);
    const fill = r.domain === 'in-domain' ? c : r.domain === 'cross-domain' ? '#fff' : '#ccc';
    parts.push(
      `<g class="row"><title>${esc(r.title)}</title>`,
      `<text class="row-label" x="${left - 8}" y="${px(y + 4)}" text-anchor="end">${esc(r.label)}</text>`,
      `<line class="chance" x1="${px(x(r.chance))}" x2="${px(x(r.chance))}" y1="${px(y - 6)}" y2="${px(y + 6)}"/>`,
      `<line class="ci-bar" x1="${px(x(lo))}" x2="${px(x(hi))}" y1="${px(y)}" y2="${px(y)}" stroke="${c}"/>`,
      `<circle class="acc-point" cx="${px(x(r.accuracy))}" cy="${px(y)}" r="5" fill="${fill}" stroke="${c}"/>`,
      `<text class="value" x="${px(x(hi) + 8)}" y="${px(y + 4)}">${pct(r.accuracy)}</text></g>`,
    );
  });
  return svg(width, height, caption, parts);
}

/** A line of a line chart. */
export interface Series {
  readonly name: string;
  readonly colourIndex: number;
  /** Line style: 0 solid, 1 dashed, 2 dotted, 3 dash-dot (series of one colour told apart). */
  readonly dash?: number;
  readonly points: readonly {
    readonly x: number;
    readonly y: number;
    readonly ci95?: number;
    readonly title?: string;
  }[];
}

export interface LineChartOptions {
  readonly caption: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Fixed y domain (accuracy: [0, 1] shown as percent); default from the data. */
  readonly yDomain?: readonly [number, number];
  /** Show y values as percent. */
  readonly percent?: boolean;
  /** Tick at exactly these x values (grid points such as ways 5, 20). */
  readonly xTicks?: readonly number[];
  readonly width?: number;
}

/**
 * Lines with dots (and error bars where a point has `ci95`) on linear axes, with a legend. Marks:
 * `path.series-line` per series, `circle.series-point` per point, `line.err-bar` per point with a CI.
 */
export function lineChart(series: readonly Series[], o: LineChartOptions): string {
  const width = o.width ?? 420;
  const legendH = 16 * series.length;
  const height = 240 + legendH;
  const m = { left: 52, right: 16, top: 12, bottom: 44 + legendH };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const [x0, x1] = xs.length > 0 ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
  let [y0, y1] = o.yDomain ?? [
    Math.min(...all.map((p) => p.y - (p.ci95 ?? 0))),
    Math.max(...all.map((p) => p.y + (p.ci95 ?? 0))),
  ];
  if (!(y1 > y0)) [y0, y1] = [y0 - 0.5, y0 + 0.5];
  if (!o.yDomain) [y0, y1] = [y0 - (y1 - y0) * 0.05, y1 + (y1 - y0) * 0.05];
  const pad = x1 > x0 ? (x1 - x0) * 0.05 : 1;
  const x = linear(x0 - pad, x1 + pad, m.left, width - m.right);
  const y = linear(y0, y1, height - m.bottom, m.top);
  const scaleY = o.percent ? 100 : 1;
  const parts: string[] = [];
  for (const t of ticks(y0 * scaleY, y1 * scaleY, 5)) {
    const yy = y(t / scaleY);
    parts.push(`<line class="grid" x1="${m.left}" x2="${width - m.right}" y1="${px(yy)}" y2="${px(yy)}"/>`);
    parts.push(`<text class="tick" x="${m.left - 6}" y="${px(yy + 4)}" text-anchor="end">${tickLabel(t)}</text>`);
  }
  const xt = o.xTicks ?? ticks(x0, x1, 6).filter((t) => Number.isInteger(t));
  for (const t of xt)
    parts.push(
      `<text class="tick" x="${px(x(t))}" y="${height - m.bottom + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  parts.push(
    `<line class="axis" x1="${m.left}" x2="${width - m.right}" y1="${height - m.bottom}" y2="${height - m.bottom}"/>`,
  );
  parts.push(
    `<text class="axis-label" x="${px((m.left + width - m.right) / 2)}" y="${height - m.bottom + 32}" text-anchor="middle">${esc(o.xLabel)}</text>`,
  );
  parts.push(
    `<text class="axis-label" transform="translate(14 ${px((m.top + height - m.bottom) / 2)}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`,
  );
  series.forEach((s, si) => {
    const c = colour(s.colourIndex);
    const dash = DASHES[(s.dash ?? 0) % DASHES.length]
      ? ` stroke-dasharray="${DASHES[(s.dash ?? 0) % DASHES.length]}"`
      : '';
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const d = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x(p.x))} ${px(y(p.y))}`).join(' ');
    parts.push(
      `<g class="series"><title>${esc(s.name)}</title><path class="series-line" d="${d}" stroke="${c}"${dash}/>`,
    );
    for (const p of pts) {
      if (p.ci95 !== undefined) {
        const lo = Math.max(y0, p.y - p.ci95);
        const hi = Math.min(y1, p.y + p.ci95);
        parts.push(
          `<line class="err-bar" x1="${px(x(p.x))}" x2="${px(x(p.x))}" y1="${px(y(lo))}" y2="${px(y(hi))}" stroke="${c}"/>`,
        );
      }
      const tip = p.title ?? `${s.name}: ${o.xLabel} ${tickLabel(p.x)}, ${o.percent ? pct(p.y) + '%' : tickLabel(p.y)}`;
      parts.push(
        `<circle class="series-point" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="${pts.length > 30 ? 1.5 : 3.5}" fill="${c}"><title>${esc(tip)}</title></circle>`,
      );
    }
    parts.push('</g>');
    const ly = height - legendH + si * 16 + 2;
    parts.push(
      `<g class="legend"><line x1="${m.left}" x2="${m.left + 22}" y1="${ly + 5}" y2="${ly + 5}" stroke="${c}" stroke-width="2.5"${dash}/><text x="${m.left + 28}" y="${ly + 9}">${esc(s.name)}</text></g>`,
    );
  });
  return svg(width, height, o.caption, parts);
}

const DASHES = ['', '7 4', '2 3', '8 3 2 3'];

function svg(width: number, height: number, caption: string, parts: readonly string[]): string {
  return `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(caption)}">${parts.join('')}</svg>`;
}
