import os from 'node:os';

/**
 * At most `width` tasks at once (default: one per core), the rest queued in order. Video decoding runs
 * one ffmpeg process per clip; more processes than cores only add switching.
 */
export class DecodePool {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly width = defaultWidth()) {
    if (!Number.isInteger(width) || width < 1) throw new RangeError(`DecodePool width must be a positive integer, got ${width}`);
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
      if (next) next(); // the slot passes straight to the next task
      else this.active--;
    }
  }
}

/** One per core (`os.availableParallelism`, Node >= 18.14), at least 1. */
export function defaultWidth(): number {
  return Math.max(1, typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
}
