/**
 * @fewshot/core/testing: the conformance suite every fewshot plugin runs in its own tests
 * (`describeConformance({ plugin, modality, fixture })`), framework-agnostic like abstract-blob-store's
 * shared tests. Not exported from `@fewshot/core`: it is test-only code.
 */
export type { ConformanceCheck, ConformanceOptions, ConformanceResult } from './conformance-options.js';
export { conformanceChecks } from './conformance-checks.js';
export { checkPlugin } from './check-plugin.js';
export { describeConformance, type SuiteFn, type TestFn } from './describe-conformance.js';
export { cpuTimeMs, fuzzSettings, testDataDir, testDataPath, TEST_DATA_ENV, type FuzzSettings } from './test-data.js';
