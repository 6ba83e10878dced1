import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ExperimentConfig } from '../config/experiment-schema.js';
import { ConfigError, FewshotError, ModelError } from '../errors.js';
import { writeDirAtomic } from '../io/atomic-write.js';
import type { OptimizerState } from './optimizer-state.js';
import type { EpochRecord } from './trainer.js';

/** Name of the checkpoint folder inside a model folder. */
export const CHECKPOINT_DIR = 'checkpoint';

/** The steps of the epoch a checkpoint was written in (an interrupted epoch; absent at an epoch's end). */
export interface PartialEpoch {
  /** Steps of the epoch done. */
  readonly steps: number;
  readonly lossSum: number;
  readonly imagesSeen: number;
  readonly seconds: number;
}

/**
 * Everything a training run needs to continue bit for bit where it stopped: the weights (trainable,
 * and each data-parallel worker's batch-norm statistics), the optimizer state (Adam's moments and
 * iteration count), the positions of the random streams (the sampler's by its count of steps drawn,
 * which a resumed run draws again; augmentation's by its generator state; validation episodes and
 * dropout masks depend on the seed only), the epoch and step, the history, the early-stopping state
 * and the time spent. The learning-rate schedule is a function of the epoch.
 */
export interface TrainCheckpoint {
  /** The config of the run (a member's own config in an ensemble); a resumed run must have the same. */
  readonly config: ExperimentConfig;
  readonly backend: string;
  /** Data-parallel workers (1: in-process). */
  readonly workers: number;
  /** Epochs completed. */
  readonly epoch: number;
  /** The epoch `epoch + 1` as far as it went, when the run was interrupted inside it. */
  readonly partial: PartialEpoch | null;
  /** Sampler steps drawn since the start. */
  readonly drawnSteps: number;
  readonly history: readonly EpochRecord[];
  /** Early stopping: best score so far (null: none yet), its epoch, epochs since. */
  readonly best: number | null;
  readonly bestEpoch: number;
  readonly sinceBest: number;
  readonly elapsedSeconds: number;
  readonly augmentRng: readonly number[];
  /** Trainable weights, in `trainableVariables` order. */
  readonly trainable: Float32Array;
  /** Batch-norm moving statistics, one array per worker. */
  readonly stats: readonly Float32Array[];
  readonly optimizer: OptimizerState;
  /** Why it was written. */
  readonly reason: 'epoch' | 'interrupted';
}

const FORMAT = 'fewshot-checkpoint';

type StateJson = Omit<TrainCheckpoint, 'trainable' | 'stats' | 'optimizer'> & {
  readonly format: typeof FORMAT;
  readonly version: 1;
  readonly savedAt: string;
  readonly sizes: { readonly trainable: number; readonly stats: number; readonly statCopies: number };
  readonly optimizer: Omit<OptimizerState, 'values'>;
};

/** Write `ckpt` as the folder `dir` (state.json, weights.bin, optimizer.bin), replacing an older one as a unit. */
export async function saveCheckpoint(dir: string, ckpt: TrainCheckpoint): Promise<void> {
  const statSize = ckpt.stats[0]?.length ?? 0;
  if (ckpt.stats.some((s) => s.length !== statSize))
    throw new RangeError('saveCheckpoint: the workers hold statistics of different sizes');
  const { trainable, stats, optimizer, ...rest } = ckpt;
  const { values, ...optimizerRest } = optimizer;
  const state: StateJson = {
    format: FORMAT,
    version: 1,
    savedAt: new Date().toISOString(),
    ...rest,
    sizes: { trainable: trainable.length, stats: statSize, statCopies: stats.length },
    optimizer: optimizerRest,
  };
  const weights = new Float32Array(trainable.length + statSize * stats.length);
  weights.set(trainable, 0);
  stats.forEach((s, k) => weights.set(s, trainable.length + k * statSize));
  await writeDirAtomic(dir, async (tmp) => {
    await fs.writeFile(path.join(tmp, 'weights.bin'), bytesOf(weights));
    await fs.writeFile(path.join(tmp, 'optimizer.bin'), bytesOf(values));
    // the state last: a folder with a state.json is complete (the folder is renamed into place as a whole anyway)
    await fs.writeFile(path.join(tmp, 'state.json'), JSON.stringify(state, null, 1) + '\n');
    await syncFiles(tmp, ['weights.bin', 'optimizer.bin', 'state.json']);
  });
}

/** The checkpoint in `dir`, or undefined when there is none; a ModelError when it is unreadable. */
export async function loadCheckpoint(dir: string): Promise<TrainCheckpoint | undefined> {
  const file = path.join(dir, 'state.json');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelError(`cannot read the training checkpoint ${file}: ${(err as Error).message}`, { cause: err });
  }
  const broken = (why: string): ModelError =>
    new ModelError(`the training checkpoint in ${dir} is unusable: ${why}`, {
      hints: [`remove ${dir} to train from the start`],
    });
  let s: StateJson;
  try {
    s = JSON.parse(text) as StateJson;
  } catch (err) {
    throw broken(`state.json is not JSON (${(err as Error).message})`);
  }
  if (s.format !== FORMAT) throw broken(`state.json is not a fewshot checkpoint`);
  if (s.version !== 1) throw broken(`checkpoint format version ${String(s.version)} is not supported by this fewshot`);
  const { trainable: nt, stats: ns, statCopies } = s.sizes;
  const weights = await readFloats(path.join(dir, 'weights.bin'), nt + ns * statCopies).catch((e: Error) =>
    Promise.reject(broken(e.message)),
  );
  const optSize = s.optimizer.shapes.reduce((t, shape) => t + shape.reduce((a, b) => a * b, 1), 0);
  const values = await readFloats(path.join(dir, 'optimizer.bin'), optSize).catch((e: Error) =>
    Promise.reject(broken(e.message)),
  );
  const { format: _f, version: _v, savedAt: _s, sizes: _z, optimizer, ...rest } = s;
  return {
    ...rest,
    trainable: weights.slice(0, nt),
    stats: Array.from({ length: statCopies }, (_, k) => weights.slice(nt + k * ns, nt + (k + 1) * ns)),
    optimizer: { ...optimizer, values },
  };
}

/** Remove the checkpoint folder `dir` (after the run it belongs to finished). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/**
 * The differences between the config a checkpoint was written with and the current one, as lines
 * `key: <checkpoint value> -> <current value>` (empty when they are the same).
 */
export function configChanges(saved: unknown, current: unknown, at = ''): string[] {
  if (JSON.stringify(saved) === JSON.stringify(current)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (isObj(saved) && isObj(current)) {
    const keys = [...new Set([...Object.keys(saved), ...Object.keys(current)])].sort();
    return keys.flatMap((k) => configChanges(saved[k], current[k], at ? `${at}.${k}` : k));
  }
  const show = (x: unknown): string => (x === undefined ? '(not set)' : JSON.stringify(x));
  return [`${at || '(config)'}: ${show(saved)} -> ${show(current)}`];
}

/**
 * Throws a ConfigError naming what changed unless a run with `config` on `backend` with `workers`
 * data-parallel workers may continue `ckpt` (written in `dir`).
 */
export function checkResumable(
  ckpt: TrainCheckpoint,
  dir: string,
  config: ExperimentConfig,
  backend: string,
  workers: number,
): void {
  const changes = configChanges(ckpt.config, config);
  if (ckpt.backend !== backend) changes.push(`backend in use: ${ckpt.backend} -> ${backend}`);
  if (ckpt.workers !== workers) changes.push(`data-parallel workers (train.workers): ${ckpt.workers} -> ${workers}`);
  if (changes.length === 0) return;
  throw new ConfigError(
    `cannot resume the training in ${dir}: the run's settings changed since its checkpoint (checkpoint -> now)`,
    {
      hints: [
        ...changes.slice(0, 12),
        ...(changes.length > 12 ? [`... and ${changes.length - 12} more`] : []),
        'resume with the same config and --set options, or remove the checkpoint folder to train afresh',
      ],
    },
  );
}

/** Training was stopped by a signal (SIGINT, SIGTERM) or an AbortSignal after writing a checkpoint. */
export class TrainingInterrupted extends FewshotError {
  override readonly title = 'Training interrupted';
  constructor(
    message: string,
    /** The checkpoint folder written. */
    readonly checkpoint: string,
    options: { hints?: string[] } = {},
  ) {
    super(message, options);
  }
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

async function readFloats(file: string, count: number): Promise<Float32Array> {
  const buf = await fs.readFile(file);
  if (buf.length !== count * 4)
    throw new Error(`${path.basename(file)} has ${buf.length} bytes, state.json says ${count * 4}`);
  const out = new Float32Array(count);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** fsync the files, so a power cut after the rename does not leave empty ones. */
async function syncFiles(dir: string, names: readonly string[]): Promise<void> {
  for (const n of names) {
    const fh = await fs.open(path.join(dir, n), 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
