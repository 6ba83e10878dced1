import { DecodePool, defaultWidth } from './decode-pool.js';

describe('DecodePool', () => {
  it('runs at most `width` tasks at once, in order, and passes results and errors through', async () => {
    const pool = new DecodePool(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const task = (i: number) => async () => {
      started.push(i);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 3) throw new Error('task 3 failed');
      return i * 10;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4, 5].map((i) => pool.run(task(i))));
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 10, 20, 'task 3 failed', 40, 50]);
    expect(pool.running).toBe(0);
  });

  it('is as wide as the cores by default', () => {
    expect(new DecodePool().width).toBe(defaultWidth());
    expect(defaultWidth()).toBeGreaterThanOrEqual(1);
    expect(() => new DecodePool(0)).toThrow(RangeError);
  });
});
