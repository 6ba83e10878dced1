import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readTrajectory, timeseriesPreprocessSchema, preprocessTrajectory } from '@fewshot/modality-timeseries';
import { cli } from './run-cli-capture.js';
import { REPO_ROOT, SHARED_DATA, requireData } from './shared-data.js';

// models/strokes on a user's own pen export: test/fixtures/strokes-csv holds 5 Latin characters (an
// alphabet the model never trained on) as CSV recorded every 5 ms instead of the archives' ~16 ms, in
// seconds and millimetres instead of milliseconds and pixels (make-fixture.mjs writes it from the archive).
const fixture = path.join(REPO_ROOT, 'test/fixtures/strokes-csv');
const model = path.join(REPO_ROOT, 'models/strokes');
const support = path.join(fixture, 'support');
const queries = readdirSync(path.join(fixture, 'queries'))
  .sort()
  .map((f) => path.join(fixture, 'queries', f));

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-strokes-cli-'));
process.env['FEWSHOT_CACHE'] = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('models/strokes on CSV trajectories recorded at another rate and scale', () => {
  it('decodes a CSV export like the archive drawing it came from', async () => {
    const zip = path.join(requireData(path.join(SHARED_DATA, 'omniglot/strokes')), 'strokes_background_small1.zip');
    const pre = timeseriesPreprocessSchema.parse({ length: 64 });
    const fromZip = await readTrajectory(
      { id: 'Latin/character01/0683_02.txt', path: zip, label: 'Latin/character01' },
      pre,
    );
    const fromCsv = await readTrajectory({ id: 'q', path: queries[0]!, label: 'q' }, pre);
    expect(fromCsv.trajectory.time![1]).toBeCloseTo(0.005, 6);
    const a = preprocessTrajectory(fromZip.trajectory, pre, fromZip.source);
    const b = preprocessTrajectory(fromCsv.trajectory, pre, fromCsv.source);
    // the same drawing at another rate, scale and origin: the decoded samples agree closely
    let worst = 0;
    for (let i = 0; i < a.length; i++) if (i % 5 < 2) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    expect(worst).toBeLessThan(0.05);
  });

  it('fewshot classify --model models/strokes --support DIR FILE... names the character of most queries', async () => {
    const c = await cli('classify', '--model', model, '--support', support, ...queries, '--json', '--quiet');
    expect(c.err).toBe('');
    expect(c.code).toBe(0);
    const out = JSON.parse(c.out) as { results: { file: string; label: string }[] };
    expect(out.results.map((r) => r.file)).toEqual(queries);
    // queries/characterNN_DD.csv is a drawing of support/characterNN by another drawer
    const right = out.results.filter((r) => path.basename(r.file).startsWith(`${r.label}_`)).length;
    expect(right).toBeGreaterThanOrEqual(8);
  }, 120_000);
});

describe('bad time series through the CLI', () => {
  // the fixture's support folder (5 classes of one CSV each) plus a second drawing per class, and bad files
  const data = path.join(tmp, 'data');
  const experiment = path.join(tmp, 'bad.yaml');
  beforeAll(() => {
    cpSync(support, data, { recursive: true });
    for (const q of queries.filter((f) => f.endsWith('_02.csv')))
      cpSync(q, path.join(data, path.basename(q).slice(0, 11), 'other.csv'));
    writeFileSync(path.join(data, 'character01', 'ragged.csv'), 'time,x,y\n0,1,2\n0.1,3\n');
    writeFileSync(path.join(data, 'character02', 'empty.csv'), '');
    writeFileSync(
      experiment,
      `name: bad
seed: 1
backend: wasm
modality: timeseries
data:
  root: ${data}
  layout: folder
  preprocess: { length: 32 }
  test: { path: . }
eval: { ways: 3, shots: 1, queries: 1, episodes: 20 }
`,
    );
  });

  it('stops at a bad file with its name and line, or skips and lists them with onBadSample: skip', async () => {
    const failed = await cli('eval', experiment, '--baseline', 'timeseries-dtw', '--quiet', '--no-cache');
    expect(failed.code).toBe(1);
    expect(failed.err).toMatch(
      /character01\/ragged\.csv: line 3 has 2 cells, the header 3 \(ragged rows\)|character02\/empty\.csv: empty file/,
    );
    const skipped = await cli(
      'eval',
      experiment,
      '--baseline',
      'timeseries-dtw',
      '--no-cache',
      '--set',
      'data.onBadSample=skip',
      '--json',
    );
    expect(skipped.code).toBe(0);
    expect(skipped.err).toContain('skipped 2 bad sample(s)');
    expect(skipped.err).toContain(path.join(data, 'character01', 'ragged.csv'));
    expect(skipped.err).toContain(path.join(data, 'character02', 'empty.csv'));
    expect(JSON.parse(skipped.out).episodes).toBe(20);
  }, 60_000);
});
