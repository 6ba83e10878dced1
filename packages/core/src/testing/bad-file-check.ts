import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../plugin.js';
import type { ConformanceCheck } from './conformance-options.js';
import { needs, type ConformanceSubject } from './conformance-subject.js';

/** Decoding a file that is not a sample is a DataError whose message names the file. */
export function badFileCheck(subject: ConformanceSubject): ConformanceCheck {
  return {
    name: 'decoding a bad file is a DataError naming the file',
    async run() {
      const { modality } = await needs('loading the plugin', () => subject.loaded());
      const { pre } = await needs('sampleShape', () => subject.prepared());
      let dir: string | undefined;
      let file: string;
      if (subject.options.badFile !== undefined) {
        file = path.resolve(subject.baseDir, subject.options.badFile);
      } else {
        const set = await needs('load', () => subject.set());
        const ext = path.extname(set.samples[0]?.path ?? '');
        dir = await mkdtemp(path.join(os.tmpdir(), 'fewshot-conformance-'));
        file = path.join(dir, `not-a-sample${ext}`);
        await writeFile(file, randomBytes(4096, 15));
      }
      try {
        let values: Float32Array;
        try {
          values = await modality.decode({ id: path.basename(file), path: file, label: 'bad' }, pre);
        } catch (err) {
          const e = err as { name?: unknown; message?: unknown };
          const message = typeof e?.message === 'string' ? e.message : String(err);
          if (!isDataError(err)) {
            throw new Error(
              `decoding the bad file ${file} threw ${typeof e?.name === 'string' ? e.name : typeof err} (${message}), expected a DataError (from @fewshot/core/plugin) naming the file`,
              { cause: err },
            );
          }
          if (!message.includes(file) && !message.includes(path.basename(file))) {
            throw new Error(
              `decoding the bad file ${file} threw a DataError whose message does not name the file: '${message}'`,
              { cause: err },
            );
          }
          return;
        }
        throw new Error(
          `decoding the bad file ${file} gave ${values?.length} values, expected a DataError naming the file`,
        );
      } finally {
        if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A DataError, also from another copy of @fewshot/core (checked by name along the prototype chain). */
function isDataError(err: unknown): boolean {
  for (let p = err; p !== null && typeof p === 'object'; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: string } }).constructor?.name === 'DataError') return true;
  }
  return false;
}

/** `n` seeded pseudo-random bytes. */
function randomBytes(n: number, seed: number): Uint8Array {
  const rng = new Rng(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
}
