import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { fewshot, NAIVE_CONFIG } from './bench-fixtures.js';
import { REPO_ROOT } from './shared-data.js';

// report.html of a real (small) bench over image, audio and video data, opened in headless Chromium
// (Debian's `chromium`, installed by .ci/run): the charts are drawn with one mark per cell / point,
// every thumbnail is an inline PNG that decodes, nothing is fetched and the page logs no error.
// BENCH_HTML_SCREENSHOT=file.png keeps a screenshot of the page.

/** Debian's chromium (or $CHROMIUM_PATH); the test fails, not skips, without it. */
function chromium(): string {
  const candidates = [process.env['CHROMIUM_PATH'], '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => !!p,
  );
  const found = candidates.find((p) => existsSync(p));
  if (!found)
    throw new Error(
      `headless Chromium not found (looked at ${candidates.join(', ')}): run .ci/run, or apt-get install -y chromium, or set CHROMIUM_PATH`,
    );
  return found;
}

interface PageFacts {
  title: string;
  sections: number;
  accPoints: number;
  ciBars: number;
  sweepCharts: number;
  sweepLines: number;
  sweepPoints: number;
  curveCharts: number;
  curveLines: number;
  curvePoints: number;
  confusionRows: number;
  missing: number;
  images: { data: boolean; complete: boolean; w: number; h: number }[];
  nonEmptyPaths: boolean;
}

interface HtmlReportModule {
  writeHtmlReport(dir: string, results: unknown): Promise<string>;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-bench-html-'));
const out = path.join(tmp, 'out');
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

function writeHtmlBench(file: string): string {
  writeFileSync(
    file,
    `name: html-report
seed: 3
backend: wasm
tasks:
  omni:
    modality: image
    root: omniglot
    path: images_evaluation
    include: [Atlantean, Aurek-Besh, Ge_ez]
    preprocess: { size: 28 }
    ways: [5, 10]
    shots: [1, 5]
    episodes: 20
  keywords:
    modality: audio
    root: arabic-speech-commands/dataset
    path: .
    layout: folder
    include: [close, direction, disable, enable, enter, next]
    preprocess: { sampleRate: 16000, duration: 1.0, trimDb: 30, features: mfcc, coefficients: 13 }
    ways: 5
    shots: 1
    episodes: 10
  drawings:
    modality: video
    root: omniglot-drawing-videos
    path: .
    layout: omniglot
    include: [Latin]
    preprocess: { frames: 4, size: 28 }
    ways: 5
    shots: 1
    episodes: 10
methods:
  naive:
    experiment: ${NAIVE_CONFIG}
    set: { backend: wasm, train.epochs: 2, train.stepsPerEpoch: 5, train.validation.episodes: 10, data.train.include: [Latin, Greek], data.train.exclude: [], data.validation.include: [Bengali], data.validation.exclude: [] }
  pixel: { baseline: pixel }
cells:
  - { method: naive, task: omni, source: omniglot-background, target: omniglot-evaluation }
  - { method: pixel, tasks: [omni, keywords, drawings], source: none, target: any }
`,
  );
  return file;
}

describe('report.html in headless Chromium', () => {
  it('draws every chart and thumbnail of a real bench, offline, without console errors', async () => {
    const executablePath = chromium();
    execFileSync(executablePath, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] }); // a broken install fails here, with its own message
    const run = await fewshot(['bench', writeHtmlBench(path.join(tmp, 'html.yaml')), '--out', out, '--quiet'], {
      cache: path.join(tmp, 'cache'),
    });
    expect(run.err).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      cells: { task: string; confusions: unknown[]; training?: { modelKey: string; history: unknown[] } }[];
    };
    expect(results.cells).toHaveLength(10);
    const html = (await import(
      pathToFileURL(path.join(REPO_ROOT, 'packages/core/dist/bench/html-report.js')).href
    )) as HtmlReportModule;
    const file = await html.writeHtmlReport(out, results);

    browser = await puppeteer.launch({
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${String(e)}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.setViewport({ width: 1200, height: 900 });
    const response = await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    expect(response?.ok()).toBe(true);

    // (a string, evaluated in the page: the test project has no DOM types)
    const seen = (await page.evaluate(`(() => {
      const count = (sel) => document.querySelectorAll(sel).length;
      const imgs = [...document.querySelectorAll('img.thumb')];
      return {
        title: document.title,
        sections: count('section.task'),
        accPoints: count('svg circle.acc-point'),
        ciBars: count('svg line.ci-bar'),
        sweepCharts: count('figure.sweeps svg.chart'),
        sweepLines: count('figure.sweeps path.series-line'),
        sweepPoints: count('figure.sweeps circle.series-point'),
        curveCharts: count('figure.curves svg.chart'),
        curveLines: count('figure.curves path.series-line'),
        curvePoints: count('figure.curves circle.series-point'),
        confusionRows: count('tr.confusion'),
        missing: count('.no-thumb'),
        images: imgs.map((i) => ({ data: i.src.startsWith('data:image/png;base64,'), complete: i.complete, w: i.naturalWidth, h: i.naturalHeight })),
        nonEmptyPaths: [...document.querySelectorAll('path.series-line')].every((p) => (p.getAttribute('d') || '').length > 3),
      };
    })()`)) as PageFacts;
    if (process.env['BENCH_HTML_SCREENSHOT'])
      await page.screenshot({ path: process.env['BENCH_HTML_SCREENSHOT'] as `${string}.png`, fullPage: true });

    expect(seen.title).toBe('html-report: fewshot bench report');
    expect(seen.sections).toBe(3);
    // accuracy with CI: one dot and one bar per cell
    expect(seen.accPoints).toBe(10);
    expect(seen.ciBars).toBe(10);
    // omni's 2x2 grid: against ways and against shots, a line per (method, other axis value) of 2 points each
    expect(seen.sweepCharts).toBe(2);
    expect(seen.sweepLines).toBe(8);
    expect(seen.sweepPoints).toBe(16);
    // one trained model (naive, shared by its 4 cells): a loss and a validation-accuracy curve of 2 epochs
    const models = new Set(results.cells.flatMap((c) => (c.training ? [c.training.modelKey] : [])));
    expect(models.size).toBe(1);
    const epochs = results.cells.find((c) => c.training)!.training!.history.length;
    expect(epochs).toBe(2);
    expect(seen.curveCharts).toBe(2);
    expect(seen.curveLines).toBe(2);
    expect(seen.curvePoints).toBe(2 * epochs);
    expect(seen.nonEmptyPaths).toBe(true);
    // most-confused classes of each task, two pictures per row (image, video frame, spectrogram)
    expect(seen.confusionRows).toBeGreaterThanOrEqual(3);
    expect(seen.missing).toBe(0);
    expect(seen.images).toHaveLength(2 * seen.confusionRows);
    for (const img of seen.images) {
      expect(img).toMatchObject({ data: true, complete: true });
      expect(img.w).toBeGreaterThan(0);
      expect(img.h).toBeGreaterThan(0);
    }
    // self-contained: only the page itself was loaded (thumbnails are data: URLs)
    expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([pathToFileURL(file).href]);
    expect(problems).toEqual([]);
  }, 240_000);
});
