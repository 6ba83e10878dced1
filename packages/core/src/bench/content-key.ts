import { createHash } from 'node:crypto';
import { canonicalJson } from '../data/sample-cache.js';

/** Length of the hex keys of cells, models and episodes (64 bits: collisions are not a concern at bench sizes). */
export const KEY_LENGTH = 16;

/** sha256 of the canonical JSON of `value` (object keys sorted), as KEY_LENGTH hex digits. */
export function contentKey(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, KEY_LENGTH);
}

/** Full sha256 hex of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
