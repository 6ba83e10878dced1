import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cpuTimeMs, fuzzSettings, testDataDir, testDataPath } from './test-data.js';

const saved = { ...process.env };
afterEach(() => {
  for (const k of ['FEWSHOT_TEST_DATA', 'FEWSHOT_FUZZ_RUNS', 'FEWSHOT_FUZZ_SEED']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

describe('testDataDir / testDataPath', () => {
  let tmp: string;
  beforeAll(() => {
    // tmp/ws/package.json (a workspace) > tmp/ws/packages/p/package.json > src/x.spec.js; tmp/shared/data/a.txt
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-test-data-'));
    mkdirSync(path.join(tmp, 'ws/packages/p/src'), { recursive: true });
    writeFileSync(path.join(tmp, 'ws/package.json'), JSON.stringify({ workspaces: ['packages/*'] }));
    writeFileSync(path.join(tmp, 'ws/packages/p/package.json'), JSON.stringify({ name: 'p' }));
    mkdirSync(path.join(tmp, 'shared/data'), { recursive: true });
    writeFileSync(path.join(tmp, 'shared/data/a.txt'), 'a');
    mkdirSync(path.join(tmp, 'lone/src'), { recursive: true });
    writeFileSync(path.join(tmp, 'lone/package.json'), JSON.stringify({ name: 'lone' }));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('defaults to ../shared/data beside the workspace root above the caller (file URL or path)', () => {
    delete process.env['FEWSHOT_TEST_DATA'];
    const spec = pathToFileURL(path.join(tmp, 'ws/packages/p/src/x.spec.js'));
    expect(testDataDir(spec)).toBe(path.join(tmp, 'shared/data'));
    expect(testDataDir(spec.href)).toBe(path.join(tmp, 'shared/data'));
    expect(testDataDir(path.join(tmp, 'ws/packages/p/src'))).toBe(path.join(tmp, 'shared/data'));
  });

  it('uses the nearest package outside a workspace (a plugin of its own)', () => {
    delete process.env['FEWSHOT_TEST_DATA'];
    expect(testDataDir(path.join(tmp, 'lone/src'))).toBe(path.join(tmp, 'shared/data'));
  });

  it('prefers $FEWSHOT_TEST_DATA', () => {
    process.env['FEWSHOT_TEST_DATA'] = path.join(tmp, 'elsewhere');
    expect(testDataDir(path.join(tmp, 'ws'))).toBe(path.join(tmp, 'elsewhere'));
  });

  it('testDataPath returns an existing path and throws naming a missing one and FEWSHOT_TEST_DATA', () => {
    process.env['FEWSHOT_TEST_DATA'] = path.join(tmp, 'shared/data');
    expect(testDataPath(tmp, 'a.txt')).toBe(path.join(tmp, 'shared/data/a.txt'));
    expect(() => testDataPath(tmp, 'omniglot', 'missing')).toThrow(
      `test data not found: ${path.join(tmp, 'shared/data/omniglot/missing')} (set FEWSHOT_TEST_DATA`,
    );
  });
});

describe('fuzzSettings', () => {
  it('gives the defaults, or the environment overrides', () => {
    delete process.env['FEWSHOT_FUZZ_RUNS'];
    delete process.env['FEWSHOT_FUZZ_SEED'];
    expect(fuzzSettings({ runs: 150 })).toEqual({ numRuns: 150, seed: 21 });
    expect(fuzzSettings({ runs: 10, seed: 7 })).toEqual({ numRuns: 10, seed: 7 });
    process.env['FEWSHOT_FUZZ_RUNS'] = '100000';
    process.env['FEWSHOT_FUZZ_SEED'] = '-3';
    expect(fuzzSettings({ runs: 10 })).toEqual({ numRuns: 100000, seed: -3 });
  });

  it('rejects a value that is not an integer, naming the variable', () => {
    process.env['FEWSHOT_FUZZ_RUNS'] = 'lots';
    expect(() => fuzzSettings({ runs: 10 })).toThrow('FEWSHOT_FUZZ_RUNS=lots: expected an integer >= 1');
    process.env['FEWSHOT_FUZZ_RUNS'] = '0';
    expect(() => fuzzSettings({ runs: 10 })).toThrow('FEWSHOT_FUZZ_RUNS=0');
    delete process.env['FEWSHOT_FUZZ_RUNS'];
    process.env['FEWSHOT_FUZZ_SEED'] = '1.5';
    expect(() => fuzzSettings({ runs: 10 })).toThrow('FEWSHOT_FUZZ_SEED=1.5');
  });
});

describe('cpuTimeMs', () => {
  it("is this process's user + system CPU time in milliseconds", () => {
    const ms = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
    const before = ms(process.cpuUsage());
    const t = cpuTimeMs();
    const after = ms(process.cpuUsage());
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
  });
});
