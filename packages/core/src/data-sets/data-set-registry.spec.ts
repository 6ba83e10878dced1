import path from 'node:path';
import { ConfigError } from '../errors.js';
import { DATA_SETS, findDataSet } from './data-set-registry.js';
import { fetchHintFor } from './fetch-hint.js';

describe('the data-set registry', () => {
  it('has unique names and target folders, and checksums only as 32 or 64 hex digits', () => {
    expect(new Set(DATA_SETS.map((d) => d.name)).size).toBe(DATA_SETS.length);
    const targets = DATA_SETS.flatMap((d) => d.archives.map((a) => a.target));
    expect(new Set(targets).size).toBe(targets.length);
    for (const a of DATA_SETS.flatMap((d) => d.archives)) {
      if (a.md5 !== undefined) expect(a.md5).toMatch(/^[0-9a-f]{32}$/);
      if (a.sha256 !== undefined) expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(a.url).toMatch(/^https:\/\//);
    }
    expect(findDataSet('omniglot-background').archives[0]!.md5).toBe('68d2efa1b9178cc56df9314c21c6e718');
  });

  it('names the closest data set for a typo', () => {
    expect(() => findDataSet('omniglot-backgrund')).toThrow(ConfigError);
    expect(() => findDataSet('omniglot-backgrund')).toThrow(
      "unknown data set 'omniglot-backgrund' (did you mean 'omniglot-background'?)",
    );
  });
});

describe('fetchHintFor', () => {
  const saved = process.env['FEWSHOT_DATA'];
  afterEach(() => {
    if (saved === undefined) delete process.env['FEWSHOT_DATA'];
    else process.env['FEWSHOT_DATA'] = saved;
  });

  it('names the fetch command of the registry folder a missing path is, or lies in', () => {
    process.env['FEWSHOT_DATA'] = '/srv/data';
    expect(fetchHintFor('/srv/data/omniglot/images_background')).toBe(
      'fetch it with: fewshot data fetch omniglot-background',
    );
    expect(fetchHintFor('/srv/data/omniglot/images_evaluation/Angelic')).toBe(
      'fetch it with: fewshot data fetch omniglot-evaluation',
    );
    expect(fetchHintFor(path.join('/elsewhere', 'fsdd', 'recordings'))).toBe(
      'fetch it with: fewshot data fetch fsdd --to /elsewhere',
    );
    expect(fetchHintFor('/srv/data/omniglot-drawing-videos')).toBe(
      'fetch it with: fewshot data fetch omniglot-drawing-videos (rendered from the Omniglot stroke archives with ffmpeg (docs/video.md), from omniglot-strokes, fetched first)',
    );
    expect(fetchHintFor('/srv/data/my-own-images')).toBeUndefined();
  });
});
