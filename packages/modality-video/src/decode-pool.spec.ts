import { DecodeBatcher, DecodePool, defaultWidth } from './decode-pool.js';

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
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      0,
      10,
      20,
      'task 3 failed',
      40,
      50,
    ]);
    expect(pool.running).toBe(0);
  });

  it('is as wide as the cores by default', () => {
    expect(new DecodePool().width).toBe(defaultWidth());
    expect(defaultWidth()).toBeGreaterThanOrEqual(1);
    expect(() => new DecodePool(0)).toThrow(RangeError);
  });
});

describe('DecodeBatcher', () => {
  it('runs the items of a tick in batches of at most maxBatch with one key, each item its own result', async () => {
    const batches: string[][] = [];
    const batcher = new DecodeBatcher<string, string>(
      new DecodePool(1),
      3,
      async (items) => {
        batches.push(items);
        return items.map((i) =>
          i.endsWith('!')
            ? { status: 'rejected', reason: new Error(`bad ${i}`) }
            : { status: 'fulfilled', value: i.toUpperCase() },
        );
      },
      (i) => i[0]!,
    );
    const items = ['a1', 'b1', 'a2', 'a3!', 'a4', 'b2'];
    const results = await Promise.allSettled(items.map((i) => batcher.submit(i)));
    expect(batches).toEqual([['a1', 'a2', 'a3!'], ['b1', 'b2'], ['a4']]); // one slot: batches of up to 3
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      'A1',
      'B1',
      'A2',
      'bad a3!',
      'A4',
      'B2',
    ]);
  });

  it('shares the items in flight between the slots', async () => {
    const batches: number[][] = [];
    const batcher = new DecodeBatcher<number, number>(new DecodePool(2), 16, async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 5));
      return items.map((i) => ({ status: 'fulfilled', value: i }));
    });
    await Promise.all(Array.from({ length: 16 }, (_, i) => batcher.submit(i)));
    expect(batches).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [8, 9, 10, 11, 12, 13, 14, 15],
    ]);
    batches.length = 0;
    await Promise.all(Array.from({ length: 40 }, (_, i) => batcher.submit(i)));
    // two full batches, then the last 8 shared by whichever slots are free
    expect(batches.slice(0, 2).map((b) => b.length)).toEqual([16, 16]);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(Math.max(...batches.slice(2).map((b) => b.length))).toBeLessThanOrEqual(8);
  });

  it('fails the whole batch when the batch run rejects, and keeps going', async () => {
    let calls = 0;
    const batcher = new DecodeBatcher<number, number>(new DecodePool(1), 2, async (items) => {
      if (calls++ === 0) throw new Error('ffmpeg vanished');
      return items.map((i) => ({ status: 'fulfilled', value: i * 2 }));
    });
    const first = await Promise.allSettled([1, 2].map((i) => batcher.submit(i)));
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.submit(5)).resolves.toBe(10);
    expect(() => new DecodeBatcher(new DecodePool(1), 0, async () => [])).toThrow(RangeError);
  });
});
