import type { BackendName } from '../../backend/select-backend.js';
import type { TrainConfig } from '../../config/experiment-schema.js';
import type { PairModelSnapshot } from './model-snapshot.js';
import type { LossSpec } from '../objectives.js';
import type { OptimizerState } from '../optimizer-state.js';

/** Optimizer settings every replica builds its own optimizer from (`makeOptimizer`). */
export type OptimizerSettings = Pick<TrainConfig, 'optimizer' | 'learningRate' | 'momentum'>;

/** Messages from the pool to a gradient worker; a worker handles them one at a time, in order. */
export type ToWorker =
  | {
      readonly type: 'init';
      readonly backend: BackendName;
      /** Module URLs imported before the model is built (plugins that register custom layers). */
      readonly modules: readonly string[];
      readonly snapshot: PairModelSnapshot;
      readonly optimizer: OptimizerSettings | null;
      /** The training objective's loss. */
      readonly loss: LossSpec;
    }
  /** Loss and gradient of one shard: `rows` inputs in x (for pairs [a_1..a_n, b_1..b_n]) and its labels y. */
  | {
      readonly type: 'step';
      readonly id: number;
      readonly x: Float32Array;
      readonly y: Float32Array;
      readonly rows: number;
    }
  /** Apply an (averaged) gradient with the replica's own optimizer. */
  | { readonly type: 'apply'; readonly grads: Float32Array; readonly learningRate: number }
  | { readonly type: 'set-weights'; readonly trainable?: Float32Array; readonly stats?: Float32Array }
  | { readonly type: 'get-weights'; readonly id: number }
  /** Checkpoints: read or replace the replica's optimizer state (Adam's moments, iteration count). */
  | { readonly type: 'get-optimizer'; readonly id: number }
  | { readonly type: 'set-optimizer'; readonly state: OptimizerState }
  /** Embeddings of `rows` inputs in x (row-major), by the replica's encoder in eval mode (training: false). */
  | { readonly type: 'embed'; readonly id: number; readonly x: Float32Array; readonly rows: number };

/** Messages from a gradient worker to the pool. */
export type FromWorker =
  | { readonly type: 'ready'; readonly trainableShapes: number[][]; readonly statShapes: number[][] }
  | { readonly type: 'grads'; readonly id: number; readonly loss: number; readonly grads: Float32Array }
  /** Reply to `embed`: [rows x embedding size], row-major. */
  | { readonly type: 'embeddings'; readonly id: number; readonly data: Float32Array }
  | {
      readonly type: 'weights';
      readonly id: number;
      readonly trainable: Float32Array;
      readonly stats: Float32Array;
      /** tf.memory().numTensors in the worker (leak checks). */
      readonly tensors: number;
    }
  /** Reply to `get-optimizer`. */
  | { readonly type: 'optimizer'; readonly id: number; readonly state: OptimizerState }
  /** `id` names the failed request; without one the replica itself is broken (init or apply failed). */
  | { readonly type: 'error'; readonly id?: number; readonly message: string; readonly stack?: string };
