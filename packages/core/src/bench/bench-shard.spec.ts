import { ConfigError } from '../errors.js';
import { resolveShard, shardOf } from './bench-shard.js';

describe('resolveShard', () => {
  it('reads --shard i/n, a Slurm job array and a Kubernetes Indexed Job, in that order', () => {
    expect(resolveShard('2/3', undefined, {})).toEqual({ index: 2, count: 3 });
    expect(resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({
      index: 1,
      count: 4,
    });
    expect(
      resolveShard(undefined, undefined, {
        SLURM_ARRAY_TASK_ID: '3',
        SLURM_ARRAY_TASK_COUNT: '3',
        SLURM_ARRAY_TASK_MIN: '1',
      }),
    ).toEqual({ index: 2, count: 3 });
    expect(resolveShard(undefined, 5, { JOB_COMPLETION_INDEX: '4' })).toEqual({ index: 4, count: 5 });
    expect(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0', FEWSHOT_SHARD_COUNT: '2' })).toEqual({
      index: 0,
      count: 2,
    });
    expect(resolveShard('0/2', undefined, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '2' })).toEqual({
      index: 0,
      count: 2,
    });
    expect(resolveShard(undefined, undefined, {})).toBeUndefined();
  });

  it('refuses malformed and out-of-range shards', () => {
    expect(() => resolveShard('3/3', undefined, {})).toThrow(/--shard 3\/3: the shard index must be 0..count-1/);
    expect(() => resolveShard('1-3', undefined, {})).toThrow(ConfigError);
    expect(() => resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '0' })).toThrow(
      /SLURM_ARRAY_TASK_COUNT is not/,
    );
    expect(() => resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0' })).toThrow(/--shard-count/);
  });
});

describe('shardOf', () => {
  it('deals units out in order and keeps the cells of a unit together, every cell in exactly one shard', () => {
    const cells = ['m:a', 'c:1', 'm:a', 'c:2', 'm:b', 'c:3', 'm:b'].map((unit, i) => ({ unit, i }));
    const shards = [0, 1, 2].map((index) => shardOf(cells, { index, count: 3 }).map((c) => c.i));
    expect(shards).toEqual([[0, 2, 4, 6], [1, 5], [3]]);
    expect(shards.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(shardOf(cells, undefined)).toEqual(cells);
  });
});
