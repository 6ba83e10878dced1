import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { testDataDir } from '@fewshot/core/testing';

/** The repository root (this file is compiled to test/dist/). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared real data sets: $FEWSHOT_TEST_DATA, else ../shared/data beside the repository. */
export const SHARED_DATA = testDataDir(REPO_ROOT);

export const OMNIGLOT = path.join(SHARED_DATA, 'omniglot');
export const OMNIGLOT_RUNS = path.join(OMNIGLOT, 'one-shot-classification');

/** Fail loudly (not skip) when the data a data test needs is missing: a silent skip would hide a broken setup. */
export function requireData(p: string): string {
  if (!existsSync(p)) throw new Error(`test data not found: ${p} (set FEWSHOT_TEST_DATA to the shared data folder)`);
  return p;
}
