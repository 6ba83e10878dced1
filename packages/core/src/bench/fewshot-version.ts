import { readFileSync } from 'node:fs';

/** The version of @fewshot/core (part of every cell key: a new fewshot reruns the bench). */
export const FEWSHOT_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
