// `fewshot doctor` through the CLI: the report (text and --json), and the exit code, which is non-zero
// only when something required (here: the output folder) is broken.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from './run-cli-capture.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fewshot-doctor-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const data = path.join(tmp, 'data');
mkdirSync(path.join(data, 'fsdd', 'recordings'), { recursive: true });
const aFile = path.join(tmp, 'results.txt');
writeFileSync(aFile, 'not a folder');

interface Report {
  ok: boolean;
  errors: number;
  checks: { id: string; status: string; summary: string; fixes: string[]; facts: Record<string, unknown> }[];
}

describe('fewshot doctor', () => {
  it('--json: every check with its findings; exit code 0 when nothing required is broken', async () => {
    const r = await cli('doctor', '--json', '--data', data, '--out', path.join(tmp, 'runs'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as Report;
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.id)).toEqual([
      'node',
      'packages',
      'backends',
      'ffmpeg',
      'data',
      'cache',
      'output',
    ]);
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['node']!.facts['version']).toBe(process.versions.node);
    const pluginSpecs = (byId['packages']!.facts['plugins'] as { spec: string; version: string }[]).map(
      (p) => `${p.spec} ${p.version}`,
    );
    expect(pluginSpecs).toEqual([
      '@fewshot/modality-image 0.1.0',
      '@fewshot/modality-audio 0.1.0',
      '@fewshot/modality-video 0.1.0',
      '@fewshot/modality-timeseries 0.1.0',
    ]);
    // auto picks the first backend that starts, in its order
    const backends = byId['backends']!.facts as { available: string[]; auto: string };
    expect(backends.auto).toBe(backends.available[0]);
    expect(['tensorflow', 'wasm']).toContain(backends.auto);
    const sets = byId['data']!.facts['dataSets'] as { name: string; presence: string }[];
    expect(sets.filter((s) => s.presence === 'present').map((s) => s.name)).toEqual(['fsdd']);
    expect(byId['output']!.summary).toBe(
      `output folder ${path.join(tmp, 'runs')} (--out) is writable (would be created under ${tmp})`,
    );
  });

  it('text: a line per check; an output path that is a file fails the run with what to do (exit code 1)', async () => {
    const r = await cli('doctor', '--data', data, '--out', aFile);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^ok {4}node {6}Node \d+\.\d+\.\d+ \(20 or later needed\)$/m);
    expect(r.out).toMatch(/^(ok {2}|warn) {2}backends {2}auto picks \w+/m);
    expect(r.out).toContain(
      `FAIL  output    output folder ${aFile} (--out) cannot be written: it is a file, not a folder`,
    );
    expect(r.out).toContain(`-> ${aFile} is a file: give --out a folder path`);
    expect(r.out).toMatch(/1 problem\(s\) to fix before fewshot can run/);
    expect(r.err).toBe(
      `Setup error: 1 required check(s) failed: output\n  ${aFile} is a file: give --out a folder path (train and eval write a folder of files)\n`,
    );
  });

  it('a missing data folder is only a warning, with what to do', async () => {
    const r = await cli('doctor', '--json', '--data', path.join(tmp, 'nowhere'), '--out', tmp);
    expect(r.code).toBe(0);
    const c = (JSON.parse(r.out) as Report).checks.find((x) => x.id === 'data')!;
    expect(c.status).toBe('warning');
    expect(c.fixes.join('\n')).toMatch(/set FEWSHOT_DATA/);
  });
});
