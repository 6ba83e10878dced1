import { ConfigError } from '../errors.js';

/** Shard `index` (from 0) of `count`. */
export interface BenchShard {
  readonly index: number;
  readonly count: number;
}

/**
 * The shard to run: `--shard i/n`, else a Slurm job array (`SLURM_ARRAY_TASK_ID` and
 * `SLURM_ARRAY_TASK_COUNT`), else a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX` with `count`, from
 * `--shard-count` or `FEWSHOT_SHARD_COUNT`); undefined: the whole bench.
 */
export function resolveShard(
  flag: string | undefined,
  count: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): BenchShard | undefined {
  if (flag !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(flag.trim());
    if (!m) throw new ConfigError(`--shard ${flag}: expected i/n, e.g. --shard 0/3 (shards count from 0)`);
    return checked(Number(m[1]), Number(m[2]), `--shard ${flag}`);
  }
  const slurmId = env['SLURM_ARRAY_TASK_ID'];
  if (slurmId !== undefined && slurmId !== '') {
    const n = env['SLURM_ARRAY_TASK_COUNT'];
    if (!n)
      throw new ConfigError(
        'SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (submit with sbatch --array=0-N)',
      );
    // arrays usually count from 0; an array 1-N counts from SLURM_ARRAY_TASK_MIN
    const min = Number(env['SLURM_ARRAY_TASK_MIN'] ?? 0);
    return checked(
      Number(slurmId) - (Number.isFinite(min) ? min : 0),
      Number(n),
      `SLURM_ARRAY_TASK_ID=${slurmId}, SLURM_ARRAY_TASK_COUNT=${n}`,
    );
  }
  const k8s = env['JOB_COMPLETION_INDEX'];
  if (k8s !== undefined && k8s !== '') {
    const n = count ?? (env['FEWSHOT_SHARD_COUNT'] ? Number(env['FEWSHOT_SHARD_COUNT']) : undefined);
    if (n === undefined)
      throw new ConfigError(
        "JOB_COMPLETION_INDEX is set: give the number of shards with --shard-count (the Job's completions) or FEWSHOT_SHARD_COUNT",
      );
    return checked(Number(k8s), n, `JOB_COMPLETION_INDEX=${k8s}, ${n} shards`);
  }
  return undefined;
}

function checked(index: number, count: number, from: string): BenchShard {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new ConfigError(`${from}: the shard index must be 0..count-1 and the count at least 1`);
  }
  return { index, count };
}

/**
 * The share of a shard: units (cells sharing a trained model form one unit, so that a model is
 * trained in one shard only) dealt out in bench order, unit u to shard u mod count.
 */
export function shardOf<T extends { unit: string }>(cells: readonly T[], shard: BenchShard | undefined): T[] {
  if (!shard) return [...cells];
  const units = new Map<string, number>();
  for (const c of cells) if (!units.has(c.unit)) units.set(c.unit, units.size);
  return cells.filter((c) => units.get(c.unit)! % shard.count === shard.index);
}
