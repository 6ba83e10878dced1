import type { SampleStore } from '../data/sample-store.js';
import type { GradientWorkerPool } from '../train/parallel/gradient-worker-pool.js';

/**
 * Embed rows of a store on the worker threads of `pool` (usually `GradientWorkerPool.forInference`):
 * the same result as `model.embed(store, indices)` of the pool's model, [indices.length x
 * pool.embeddingSize]. Inputs are sent in chunks of `chunkRows` (each split over the workers); the
 * next chunk is built on the main thread while the workers embed the current one, and at most two
 * chunks are in flight, so memory stays bounded whatever the number of rows.
 */
export async function embedParallel(
  pool: GradientWorkerPool,
  store: SampleStore,
  indices: readonly number[],
  chunkRows = 1024,
): Promise<Float32Array> {
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new RangeError(`chunkRows must be a positive integer, got ${chunkRows}`);
  const d = pool.embeddingSize;
  const out = new Float32Array(indices.length * d);
  const pending: Promise<void>[] = [];
  for (let start = 0; start < indices.length; start += chunkRows) {
    const part = indices.slice(start, start + chunkRows);
    const done = pool.embedRows(store.batchArray(part), part.length).then((e) => out.set(e, start * d));
    done.catch(() => undefined); // awaited below; this only keeps an early failure from going unhandled
    pending.push(done);
    // the chunk before this one must be finished before a third is built
    if (pending.length >= 2) await pending[pending.length - 2];
  }
  await Promise.all(pending);
  return out;
}
