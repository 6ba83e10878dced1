import type { ConformanceOptions } from './conformance-options.js';
import { conformanceChecks } from './conformance-checks.js';

/** `describe(name, body)` / `it(name, fn)` as jest, mocha, vitest and node:test provide them. */
export type SuiteFn = (name: string, body: () => void) => unknown;
export type TestFn = (name: string, fn: () => Promise<void>) => unknown;

/**
 * Register the conformance checks as one test suite, one test per check: with the global `describe`
 * and `it` (jest, mocha, vitest with globals) unless `t` gives others (`import { describe, it } from 'node:test'`).
 * Checks can take a few seconds each (encoders, ffmpeg): raise your framework's timeout if needed.
 */
export function describeConformance(options: ConformanceOptions, t?: { describe: SuiteFn; it: TestFn }): void {
  const g = globalThis as { describe?: unknown; it?: unknown };
  const describe = t?.describe ?? (g.describe as SuiteFn | undefined);
  const it = t?.it ?? (g.it as TestFn | undefined);
  if (typeof describe !== 'function' || typeof it !== 'function') {
    throw new Error(
      'describeConformance: no describe/it found; run it under jest or mocha, or pass { describe, it } (from node:test, for instance)',
    );
  }
  const checks = conformanceChecks(options);
  const title =
    typeof options.plugin === 'string'
      ? `conformance of ${options.plugin} (modality '${options.modality}')`
      : `conformance of the '${options.modality}' modality`;
  describe(title, () => {
    for (const check of checks) it(check.name, () => check.run());
  });
}
