// fewshot data fetch omniglot-drawing-videos: the stroke archives are downloaded from a mirror on
// 127.0.0.1, then the video plugin's maker renders the clips (a few of them: --limit, or a small data set
// made the same way), in <folder>.making, renamed into place only when complete.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fetchMissingData, type DataSetEntry } from '@fewshot/core';
import { findFfmpeg, readFrames, readStrokeArchives } from '@fewshot/modality-video';
import { cli } from './run-cli-capture.js';
import { REPO_ROOT, SHARED_DATA, requireData } from './shared-data.js';

const { serveFiles, zipOf } = (await import(
  path.join(REPO_ROOT, 'packages/core/dist/data-sets/test-support.js')
)) as typeof import('../packages/core/dist/data-sets/test-support.js');

const STROKES = path.join(SHARED_DATA, 'omniglot', 'strokes');
const ARCHIVES = ['strokes_background_small1.zip', 'strokes_background_small2.zip'];
const SHARED_VIDEOS = path.join(SHARED_DATA, 'omniglot-drawing-videos');

function clipsIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.mp4'))
    .map((f) => f.split(path.sep).join('/'))
    .sort();
}

/** Ink (grey < 128) intersection over union of two clips' last frames, and their frame counts. */
async function compareLastFrames(a: string, b: string): Promise<{ counts: [number, number]; iou: number }> {
  const ffmpeg = findFfmpeg().path;
  const [x, y] = await Promise.all([a, b].map((f) => readFrames(ffmpeg, f, { size: 112, channels: 1 })));
  const frame = 112 * 112;
  let both = 0;
  let either = 0;
  for (let i = 0; i < frame; i++) {
    const p = x!.data[(x!.count - 1) * frame + i]! < 128;
    const q = y!.data[(y!.count - 1) * frame + i]! < 128;
    if (p && q) both++;
    if (p || q) either++;
  }
  return { counts: [x!.count, y!.count], iou: both / either };
}

describe('fewshot data fetch omniglot-drawing-videos', () => {
  let tmp: string;
  let server: Awaited<ReturnType<typeof serveFiles>>;
  beforeAll(async () => {
    requireData(STROKES);
    server = await serveFiles(
      Object.fromEntries(ARCHIVES.map((a) => [`/${a}`, { body: readFileSync(path.join(STROKES, a)) }])),
    );
  });
  afterAll(async () => server.close());
  beforeEach(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-videos-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('downloads the stroke archives, renders clips in <folder>.making with progress lines, and resumes', async () => {
    const data = path.join(tmp, 'data');
    const working = path.join(data, 'omniglot-drawing-videos.making');
    const r = await cli(
      'data',
      'fetch',
      'omniglot-drawing-videos',
      '--to',
      data,
      '--mirror',
      server.url,
      '--limit',
      '4',
    );
    expect(r.code).toBe(0);
    expect(server.requests.map((q) => q.path)).toEqual(ARCHIVES.map((a) => `/${a}`));
    expect(readdirSync(path.join(data, 'omniglot', 'strokes')).sort()).toEqual(ARCHIVES);
    expect(r.err).toContain(
      `making omniglot-drawing-videos (rendered from the Omniglot stroke archives with ffmpeg (docs/video.md)) in ${working}`,
    );
    expect(r.err).toContain(
      `render-drawings: 4 drawing(s) from ${path.join(data, 'omniglot', 'strokes')} -> ${working} (112x112, 25 fps, libx264`,
    );
    expect(r.out).toContain(
      `made a subset: ${working} (4 made, 0 kept from an earlier run, of 4; not moved into place`,
    );
    // a subset is never where the loaders read
    expect(existsSync(path.join(data, 'omniglot-drawing-videos'))).toBe(false);
    const first = clipsIn(working);
    expect(first).toEqual([
      'Balinese/character01/0108_01.mp4',
      'Balinese/character01/0108_02.mp4',
      'Balinese/character01/0108_03.mp4',
      'Balinese/character01/0108_04.mp4',
    ]);

    // the layout and frames of the shared set: same paths, same frame counts, nearly the same ink
    for (const clip of first) {
      const c = await compareLastFrames(path.join(working, clip), path.join(requireData(SHARED_VIDEOS), clip));
      expect(c.counts[0]).toBe(c.counts[1]);
      expect(c.iou).toBeGreaterThan(0.85);
    }

    // an interrupted run's clips are kept; the sources are not downloaded again
    const again = await cli(
      'data',
      'fetch',
      'omniglot-drawing-videos',
      '--to',
      data,
      '--mirror',
      server.url,
      '--limit',
      '6',
    );
    expect(again.code).toBe(0);
    expect(again.out).toContain('(2 made, 4 kept from an earlier run, of 6;');
    expect(again.err).toContain('keeping what an earlier run made there');
    expect(server.requests).toHaveLength(2);
    expect(clipsIn(working)).toHaveLength(6);
  }, 300_000);

  it('without ffmpeg: a PluginError listing where it looked, before anything is downloaded', async () => {
    const saved = process.env['FFMPEG_PATH'];
    process.env['FFMPEG_PATH'] = path.join(tmp, 'no-ffmpeg');
    const requests = server.requests.length;
    try {
      const r = await cli(
        'data',
        'fetch',
        'omniglot-drawing-videos',
        '--to',
        path.join(tmp, 'data'),
        '--mirror',
        server.url,
      );
      expect(r.code).toBe(1);
      expect(r.err).toContain(
        `omniglot-drawing-videos cannot be made (its clips are encoded with ffmpeg): ffmpeg not found: FFMPEG_PATH is set to ${path.join(tmp, 'no-ffmpeg')}, which does not exist`,
      );
      expect(server.requests).toHaveLength(requests);
      expect(existsSync(path.join(tmp, 'data'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env['FFMPEG_PATH'];
      else process.env['FFMPEG_PATH'] = saved;
    }
  }, 60_000);

  it('a missing made data set is fetched and made whole, then moved into place (a small one made the same way)', async () => {
    // a registry of two: a small stroke archive (6 real drawings) and drawing videos made from it
    const drawings = (await readStrokeArchives([path.join(STROKES, ARCHIVES[1]!)]))
      .filter((f) => f.alphabet === 'Latin' && ['character01', 'character02'].includes(f.character))
      .slice(0, 6);
    expect(drawings).toHaveLength(6);
    const zip = await zipOf(
      Object.fromEntries(
        drawings.map((f) => [`strokes_small/${f.alphabet}/${f.character}/${f.name}.txt`, Buffer.from(f.text)]),
      ),
    );
    const small = await serveFiles({ '/strokes_small.zip': { body: zip } });
    const sets: DataSetEntry[] = [
      {
        name: 'small-strokes',
        title: 't',
        path: 'strokes',
        homepage: '',
        licence: 'MIT',
        citation: '',
        archives: [
          {
            url: 'http://127.0.0.1:9/none.zip',
            fileName: 'strokes_small.zip',
            target: 'strokes/strokes_small.zip',
            unpack: { kind: 'keep' },
          },
        ],
        expect: { kind: 'archives', files: [] },
      },
      {
        name: 'small-videos',
        title: 't',
        path: 'videos',
        homepage: '',
        licence: 'MIT',
        citation: '',
        archives: [],
        derived: {
          from: ['small-strokes'],
          maker: 'omniglot-drawing-videos',
          plugin: '@fewshot/modality-video',
          describe: 'rendered',
        },
        expect: { kind: 'archives', files: [] },
      },
    ];
    try {
      const data = path.join(tmp, 'data');
      const lines: string[] = [];
      const summary = await fetchMissingData([path.join(data, 'videos', 'Latin')], {
        sets,
        mirror: small.url,
        progress: { log: (l) => void lines.push(l), start: () => ({ update() {}, done() {} }) },
      });
      expect(summary.fetched).toEqual([
        expect.objectContaining({
          name: 'small-videos',
          archives: [
            expect.objectContaining({
              status: 'made',
              target: path.join(data, 'videos'),
              made: expect.objectContaining({ samples: 6, made: 6, kept: 0, failed: [] }),
            }),
          ],
        }),
      ]);
      expect(clipsIn(path.join(data, 'videos'))).toEqual(
        drawings.map((f) => `${f.alphabet}/${f.character}/${f.name}.mp4`).sort(),
      );
      expect(existsSync(path.join(data, 'videos.making'))).toBe(false);
      expect(lines.at(-1)).toMatch(
        /^small-videos: 6 made, 0 kept from an earlier run, 0 failed of 6; 6 clip\(s\) rendered \(\d+ frames, codec libx264\) in [\d.]+ s -> /,
      );
    } finally {
      await small.close();
    }
  }, 300_000);
});
