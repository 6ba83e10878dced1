import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { LabeledSet } from '../labeled-set.js';

/**
 * Fingerprints of listed data sets: sha256 over every sample's id, label, size and mtime, in the set's
 * order (one synchronous stat per file). Computed once per set and run: `fingerprint` keeps them by a
 * caller-given key (the split's spec as JSON).
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

/** sha256 hex of the samples' ids, labels, sizes and mtimes (a missing file counts as such). */
export function fingerprintSet(set: LabeledSet): string {
  const h = createHash('sha256');
  let chunk = '';
  for (const s of set.samples) {
    const st = statSync(s.path, { throwIfNoEntry: false });
    chunk += `${s.id}\t${s.label}\t${st ? `${st.size}\t${Math.round(st.mtimeMs)}` : 'missing'}\n`;
    if (chunk.length > 1 << 16) {
      h.update(chunk);
      chunk = '';
    }
  }
  h.update(chunk);
  return h.digest('hex');
}
