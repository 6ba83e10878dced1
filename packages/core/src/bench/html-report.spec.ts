import { z } from 'zod';
import type { Modality } from '../modality.js';
import { renderHtmlReport } from './html-report.js';
import { fitThumbnail } from './html-thumbnails.js';
import type { BenchCellResult, BenchResults, BenchTaskResult } from './results-schema.js';

const task = (id: string, name: string, ways: number, shots: number, modality = 'image'): BenchTaskResult =>
  ({
    id,
    task: name,
    modality,
    ways,
    shots,
    queries: 1,
    episodes: 4,
    seed: 1,
    kind: 'episodes',
    data: { path: '/data/x' },
    domain: name,
    classes: 20,
    samples: 100,
    dataFingerprint: 'f',
    episodesKey: 'e',
    manifest: 'episodes/x.jsonl',
  }) as BenchTaskResult;

const history = [
  { epoch: 1, loss: 0.7, learningRate: 1e-3, valAccuracy: 0.4, valCi95: 0.05, seconds: 1, best: false },
  { epoch: 2, loss: 0.5, learningRate: 1e-3, valAccuracy: 0.6, valCi95: 0.05, seconds: 1, best: true },
  { epoch: 3, loss: 0.4, learningRate: 1e-3, valAccuracy: null, valCi95: null, seconds: 1, best: false },
];

const cell = (
  method: string,
  t: BenchTaskResult,
  accuracy: number,
  extra: Partial<BenchCellResult> = {},
): BenchCellResult =>
  ({
    key: `${method}-${t.id}`,
    id: `${method}@${t.id}`,
    method,
    methodKind: 'baseline',
    task: t.id,
    source: 'none',
    target: t.task,
    domain: 'untrained',
    modelKind: 'pixel-nn',
    config: { preprocess: { size: 28 } },
    backend: 'wasm',
    seed: 1,
    ways: t.ways,
    shots: t.shots,
    queries: 1,
    episodes: 4,
    accuracy,
    ci95: 0.05,
    perEpisodeCorrect: [1, 1, 1, 1],
    confusions: [
      { label: 'a/<b>', predicted: 'c', count: 2, labelExample: '/data/a/1.png', predictedExample: '/data/c/1.png' },
    ],
    timings: { trainSeconds: null, decodeSeconds: 0, evalSeconds: 0 },
    finishedAt: '2026-01-01T00:00:00Z',
    ...extra,
  }) as BenchCellResult;

function results(): BenchResults {
  const tasks = [
    task('omni/5way-1shot', 'omni', 5, 1),
    task('omni/5way-5shot', 'omni', 5, 5),
    task('omni/10way-1shot', 'omni', 10, 1),
    task('omni/10way-5shot', 'omni', 10, 5),
    task('kw/5way-1shot', 'kw', 5, 1, 'audio'),
  ];
  const training = {
    modelKey: 'abcdef0123456789',
    model: 'models/abcdef0123456789',
    bestEpoch: 2,
    bestValAccuracy: 0.6,
    stoppedBecause: 'epochs',
    history,
  };
  const cells = [
    ...tasks.slice(0, 4).map((t, i) =>
      cell('<script>alert(1)</script>', t, 0.5 + i / 20, {
        methodKind: 'experiment',
        domain: 'cross-domain',
        training,
      }),
    ),
    ...tasks.slice(0, 4).map((t, i) => cell('pixel', t, 0.3 + i / 20)),
    cell('pixel', tasks[4]!, 0.6, {
      confusions: [
        { label: 'yes', predicted: 'no', count: 1, labelExample: '/data/yes.wav', predictedExample: '/data/no.wav' },
      ],
    }),
  ];
  return {
    format: 'fewshot-bench-results',
    version: 1,
    bench: {
      file: '/b.yaml',
      name: 'demo & <test>',
      hash: 'h',
      cellsTotal: 9,
      plan: cells.map((c) => ({ key: c.key, id: c.id })),
    },
    generatedAt: '2026-01-01T00:00:00Z',
    environment: {
      fewshotVersion: '0.1.0',
      node: 'v20',
      tfjs: '4.22.0',
      backendPackages: {},
      cpu: 'cpu',
      cpus: 2,
      platform: 'linux',
      lockfileHash: null,
      gitCommit: null,
    },
    methods: [
      { id: '<script>alert(1)</script>', kind: 'experiment', label: 'x' },
      { id: 'pixel', kind: 'baseline', label: 'baseline pixel' },
    ],
    tasks,
    cells,
    comparisons: [
      {
        task: 'omni/5way-1shot',
        a: '<script>alert(1)</script>',
        b: 'pixel',
        meanDifference: 0.2,
        ci95: 0.1,
        episodes: 4,
      },
    ],
  };
}

/** A modality that draws a 2x1 grey picture of every file, and records the preprocess it was given. */
function fakeImage(seen: unknown[]): Modality {
  return {
    id: 'image',
    description: '',
    layouts: ['folder'],
    defaultEncoder: 'x',
    preprocessSchema: z.object({ size: z.number().default(10) }),
    sampleShape: () => ({ dims: [1], names: ['features'] }),
    load: () => Promise.reject(new Error('unused')),
    decode: () => Promise.reject(new Error('unused')),
    thumbnail: (_ref, pre) => {
      seen.push(pre);
      return Promise.resolve({ width: 2, height: 1, channels: 1 as const, data: Uint8Array.from([0, 255]) });
    },
  } as Modality;
}

const count = (html: string, re: RegExp): number => (html.match(re) ?? []).length;

describe('renderHtmlReport', () => {
  it('draws a mark per cell, lines against ways and shots, one curve per trained model, and escapes all text', async () => {
    const seen: unknown[] = [];
    const html = await renderHtmlReport(results(), { modalities: [fakeImage(seen)] });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<title>demo &amp; &lt;test&gt;: fewshot bench report</title>');
    expect(count(html, /class="acc-point"/g)).toBe(9);
    expect(count(html, /class="ci-bar"/g)).toBe(9);
    // omni: against ways (2 methods x 2 shots) and against shots (2 methods x 2 ways); kw has one grid point
    expect(count(html, /<figure class="sweeps">/g)).toBe(1);
    // 8 sweep lines + loss and validation accuracy of the one model shared by 4 cells
    expect(count(html, /class="series-line"/g)).toBe(8 + 2);
    // 3 epochs of loss, 2 with a validation accuracy
    const curves = html.slice(html.indexOf('<figure class="curves">'));
    expect(count(curves, /class="series-point"/g)).toBe(3 + 2);
    // the image task's confusion pairs drawn by the modality with the cell's preprocess; audio has no modality here
    expect(count(html, /<img class="thumb" src="data:image\/png;base64,/g)).toBe(2);
    expect(seen).toEqual([{ size: 28 }, { size: 28 }]);
    expect(count(html, /class="no-thumb" title="no thumbnail for the modality &#39;audio&#39;"/g)).toBe(2);
    // summed over the 8 omni cells
    expect(html).toMatch(/<tr class="confusion"><td>16<\/td>/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('says when nothing was trained, and draws no sweep for a single grid point', async () => {
    const r = results();
    const html = await renderHtmlReport(
      { ...r, cells: r.cells.filter((c) => c.method === 'pixel' && c.task.startsWith('kw')) },
      { modalities: [] },
    );
    expect(html).toContain('No method of these cells was trained.');
    expect(html).not.toContain('<figure class="sweeps">');
    expect(html).toContain('1 cells (of 9 in the bench)');
  });
});

describe('fitThumbnail', () => {
  it('keeps small pictures and subsamples large ones to at most 128 pixels a side', () => {
    const small = { width: 10, height: 5, channels: 1 as const, data: new Uint8Array(50) };
    expect(fitThumbnail(small)).toBe(small);
    const big = {
      width: 512,
      height: 256,
      channels: 3 as const,
      data: new Uint8Array(512 * 256 * 3).map((_, i) => (Math.floor(i / 3) % 512 < 256 ? 0 : 200)),
    };
    const fit = fitThumbnail(big);
    expect([fit.width, fit.height, fit.channels, fit.data.length]).toEqual([128, 64, 3, 128 * 64 * 3]);
    expect([fit.data[0], fit.data[127 * 3]]).toEqual([0, 200]);
  });
});
