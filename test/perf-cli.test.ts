// `fewshot perf` smoke run: the smallest measurement that goes through every part (a training step
// and the embedding pass, in-process and on 2 worker threads, on wasm) and reports consistent figures.
// It checks the report, not the speed: speed is measured by `npm run bench:speed`.
import { cli } from './run-cli-capture.js';

interface BackendSpeed {
  backend: string;
  available: boolean;
  workers: number;
  batchSize: number;
  rounds: number;
  trainImagesPerSecond: number;
  embedImagesPerSecond: number;
  trainGflops: number;
  embedGflops: number;
}

describe('fewshot perf', () => {
  it('measures conv4 on wasm, in-process and with 2 workers, with consistent figures (--json)', async () => {
    const r = await cli(
      'perf',
      '--backends',
      'wasm',
      '--input',
      '16',
      '--batch',
      '2',
      '--steps',
      '1',
      '--rounds',
      '1',
      '--workers',
      '1,2',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^round 1\/1 wasm x1: train [\d.]+ img\/s, embed [\d.]+ img\/s$/m);
    expect(r.err).toMatch(/^round 1\/1 wasm x2: train [\d.]+ img\/s, embed [\d.]+ img\/s$/m);
    const report = JSON.parse(r.out) as {
      encoder: string;
      input: number[];
      forwardMflopsPerImage: number;
      backends: BackendSpeed[];
    };
    expect(report.encoder).toBe('conv4');
    expect(report.input).toEqual([16, 16, 1]);
    // conv4 (4 blocks of 3x3 conv, 64 filters) on 16x16x1: counted from the layers, not timed
    expect(report.forwardMflopsPerImage).toBeCloseTo(6.488064, 6);
    expect(report.backends.map((b) => [b.backend, b.workers, b.available])).toEqual([
      ['wasm', 1, true],
      ['wasm', 2, true],
    ]);
    for (const b of report.backends) {
      expect(b).toMatchObject({ batchSize: 2, rounds: 1 });
      for (const v of [b.trainImagesPerSecond, b.embedImagesPerSecond]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
      // GFLOP/s = images/s x MFLOP per image (x3 for a training step: forward and backward)
      expect(b.embedGflops).toBeCloseTo((b.embedImagesPerSecond * report.forwardMflopsPerImage) / 1000, 9);
      expect(b.trainGflops).toBeCloseTo((3 * b.trainImagesPerSecond * report.forwardMflopsPerImage) / 1000, 9);
    }
  });

  it('refuses an unknown backend and a bad worker count as usage errors', async () => {
    const backend = await cli('perf', '--backends', 'wasm,gpu', '--quiet');
    expect(backend.code).toBe(2);
    expect(backend.err).toContain("unknown backend 'gpu' in --backends (known: tensorflow, wasm, cpu)");
    const workers = await cli('perf', '--backends', 'wasm', '--workers', '1,0', '--quiet');
    expect(workers.code).toBe(2);
    expect(workers.err).toContain("--workers takes whole numbers from 1 to 64, got '1,0'");
  });
});
