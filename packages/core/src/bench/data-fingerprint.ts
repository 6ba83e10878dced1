import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { LabeledSet } from '../labeled-set.js';

/**
 * Fingerprints of listed data sets: sha256 over every sample's id, label and the sha256 of its file's
 * bytes, in the set's order. The bytes, not sizes and modification times, so that the same data copied,
 * unpacked again or checked out elsewhere (new mtimes) keeps its fingerprint and a bench rerun reuses its
 * finished cells, while any edited file changes it. Computed once per set and run: `fingerprint` keeps
 * them by a caller-given key (the split's spec as JSON).
 */
export class DataFingerprints {
  private readonly known = new Map<string, string>();

  fingerprint(key: string, set: LabeledSet): string {
    let fp = this.known.get(key);
    if (fp === undefined) {
      fp = fingerprintSet(set);
      this.known.set(key, fp);
    }
    return fp;
  }
}

/**
 * sha256 hex of the samples' ids, labels and file contents (a missing or unreadable file counts as
 * such).
 */
export function fingerprintSet(set: LabeledSet): string {
  const h = createHash('sha256');
  let chunk = '';
  for (const s of set.samples) {
    chunk += `${s.id}\t${s.label}\t${fileDigest(s.path)}\n`;
    if (chunk.length > 1 << 16) {
      h.update(chunk);
      chunk = '';
    }
  }
  h.update(chunk);
  return h.digest('hex');
}

/**
 * Digests of the files read so far in this process, kept while their size and mtime stay the same; at
 * most `MAX_DIGESTS` (the oldest go first), so that a long-lived process benching many data sets stays
 * bounded (about 200 bytes an entry).
 */
const MAX_DIGESTS = 250_000;
const digests = new Map<string, { readonly size: number; readonly mtimeMs: number; readonly digest: string }>();

/** sha256 hex of a file's bytes; a file read before (several samples, tasks or sets share it) is not read again while unchanged. */
function fileDigest(file: string): string {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return 'missing';
  const known = digests.get(file);
  if (known && known.size === st.size && known.mtimeMs === st.mtimeMs) return known.digest;
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return 'unreadable';
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  digests.delete(file);
  digests.set(file, { size: st.size, mtimeMs: st.mtimeMs, digest });
  if (digests.size > MAX_DIGESTS) digests.delete(digests.keys().next().value!);
  return digest;
}
