import os from 'node:os';

/**
 * At most `width` tasks at once (default: one per core), the rest queued in order. Video decoding runs
 * one ffmpeg process per clip; more processes than cores only add switching.
 */
export class DecodePool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly width = defaultWidth()) {
    if (!Number.isInteger(width) || width < 1)
      throw new RangeError(`DecodePool width must be a positive integer, got ${width}`);
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.width) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next task
      else this.active--;
    }
  }
}

/** One per core (`os.availableParallelism`, Node >= 18.14), at least 1. */
export function defaultWidth(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}

/**
 * Requests run in batches on a DecodePool: each request queues an item and a pool task; a task takes
 * the oldest queued item and more with the same key (in order), and runs them with one `run` call
 * (video: one ffmpeg process for several clips). A batch takes its share of the items in flight
 * (queued or running) per pool slot, at most `maxBatch`, so that a caller keeping 16 requests in
 * flight on 2 slots gets two batches of 8 rather than one of 16 and an idle slot. Items queued in
 * the same tick share a batch. `run` settles one entry per item; a rejected `run` fails its batch.
 */
export class DecodeBatcher<I, R> {
  private readonly queue: { readonly key: string; readonly item: I; resolve(r: R): void; reject(e: unknown): void }[] =
    [];
  /** Items in batches now running. */
  private running = 0;

  constructor(
    readonly pool: DecodePool,
    readonly maxBatch: number,
    private readonly run: (items: I[]) => Promise<PromiseSettledResult<R>[]>,
    private readonly keyOf: (item: I) => string = () => '',
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError(`DecodeBatcher maxBatch must be a positive integer, got ${maxBatch}`);
  }

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ key: this.keyOf(item), item, resolve, reject });
      void this.pool.run(() => this.next());
    });
  }

  private async next(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r)); // let the requests of this tick queue up
    const first = this.queue.shift();
    if (!first) return; // an earlier task took it
    const batch = [first];
    const size = Math.min(this.maxBatch, Math.ceil((this.queue.length + 1 + this.running) / this.pool.width));
    for (let i = 0; i < this.queue.length && batch.length < size;) {
      if (this.queue[i]!.key === first.key) batch.push(this.queue.splice(i, 1)[0]!);
      else i++;
    }
    let results: PromiseSettledResult<R>[];
    this.running += batch.length;
    try {
      results = await this.run(batch.map((b) => b.item));
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    } finally {
      this.running -= batch.length;
    }
    batch.forEach((b, k) => {
      const r = results[k];
      if (r?.status === 'fulfilled') b.resolve(r.value);
      else b.reject(r ? r.reason : new Error('DecodeBatcher: the batch gave no result for this item'));
    });
  }
}
