import type { ConformanceOptions, ConformanceResult } from './conformance-options.js';
import { conformanceChecks } from './conformance-checks.js';
import { messageOf } from './conformance-subject.js';

/** Run every conformance check in turn; one result per check, failures with the reason. */
export async function checkPlugin(options: ConformanceOptions): Promise<ConformanceResult[]> {
  const results: ConformanceResult[] = [];
  for (const check of conformanceChecks(options)) {
    try {
      await check.run();
      results.push({ name: check.name, ok: true });
    } catch (err) {
      results.push({ name: check.name, ok: false, error: messageOf(err) });
    }
  }
  return results;
}
