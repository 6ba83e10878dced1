/**
 * An encoder as a flat list of inference steps (plain weights, no tfjs-layers objects), so a worker
 * thread can run it with tfjs-core and a backend only: no tfjs-layers, no plugins, no model rebuild.
 * `encoderPlan` (encoder-plan.ts) makes one from a Sequential encoder with batch norm folded in;
 * `PlanRunner` runs it with the same tfjs ops the layers call, so the embeddings are the same bit for
 * bit, except where it is asked to use the Winograd convolution (backend/winograd-conv.ts).
 */
import { tf } from '../tfjs-core.js';
import { conv1MaxPool, conv1MaxPoolAvailable, registerConv1MaxPool } from '../backend/conv1-max-pool.js';
import {
  registerWinogradConv,
  winogradAvailable,
  winogradConv3x3,
  winogradFilter,
  winogradFits,
} from '../backend/winograd-conv.js';

export type PlanActivation = 'linear' | 'relu';

export type PlanStep =
  | {
      readonly op: 'conv2d';
      /** HWIO. */
      readonly filter: Float32Array;
      readonly filterShape: readonly [number, number, number, number];
      readonly bias: Float32Array | null;
      readonly strides: readonly [number, number];
      readonly dilations: readonly [number, number];
      readonly padding: 'same' | 'valid';
      readonly activation: PlanActivation;
    }
  | {
      readonly op: 'maxPool';
      readonly poolSize: readonly [number, number];
      readonly strides: readonly [number, number];
      readonly padding: 'same' | 'valid';
    }
  | { readonly op: 'globalAvgPool' }
  | { readonly op: 'globalMaxPool' }
  | { readonly op: 'flatten' }
  | { readonly op: 'relu' }
  | {
      readonly op: 'dense';
      /** [in, out]. */
      readonly kernel: Float32Array;
      readonly kernelShape: readonly [number, number];
      readonly bias: Float32Array | null;
      readonly activation: PlanActivation;
    };

export interface InferencePlan {
  /** Dims of one input, without the batch axis. */
  readonly inputShape: readonly number[];
  /** Size of one embedding. */
  readonly outputSize: number;
  readonly steps: readonly PlanStep[];
}

/** Options of `PlanRunner`. */
export interface PlanRunnerOptions {
  /**
   * Run 3x3 stride-1 'same' convolutions whose channels fit (inputs a multiple of 4, outputs of 8) with
   * the Winograd kernel when the backend has it. Its rounding differs from the direct convolution's by
   * a few float32 units in the last place. Default false.
   */
  readonly winograd?: boolean;
  /**
   * Run a first 3x3 convolution of one input channel and the 2x2 max-pooling after it in one fused
   * kernel (backend/conv1-max-pool.ts) when the backend has it: the same values bit for bit, one pass
   * instead of two. Default true.
   */
  readonly fuseFirstLayer?: boolean;
  /** Rows per call of the ops (bounds memory); default 256. */
  readonly batchSize?: number;
}

type Runnable = (x: tf.Tensor) => tf.Tensor;

/** A conv2d the Winograd kernel computes: 3x3, stride 1, 'same', channels that fit. */
function winogradRuns(c: Extract<PlanStep, { op: 'conv2d' }>): boolean {
  const [fh, fw, cin, cout] = c.filterShape;
  return (
    fh === 3 &&
    fw === 3 &&
    c.padding === 'same' &&
    c.strides.every((v) => v === 1) &&
    c.dilations.every((v) => v === 1) &&
    winogradFits(cin, cout)
  );
}

/** A 2x2 max-pooling with stride 2 and 'valid' padding. */
function isMaxPool2(p: Extract<PlanStep, { op: 'maxPool' }>): boolean {
  return p.poolSize.every((v) => v === 2) && p.strides.every((v) => v === 2) && p.padding === 'valid';
}

/** A conv2d + maxPool pair that `conv3x3_c1_maxpool2` computes: 3x3 of one channel, 'same', then 2x2 / 2 'valid'. */
function fusesWithPool(c: Extract<PlanStep, { op: 'conv2d' }>, p: Extract<PlanStep, { op: 'maxPool' }>): boolean {
  const [fh, fw, cin, cout] = c.filterShape;
  return (
    fh === 3 &&
    fw === 3 &&
    cin === 1 &&
    cout % 4 === 0 &&
    c.padding === 'same' &&
    c.strides.every((v) => v === 1) &&
    c.dilations.every((v) => v === 1) &&
    isMaxPool2(p)
  );
}

/** Runs a plan on the current backend. Holds the weights as tensors: dispose it after use. */
export class PlanRunner {
  private readonly weights: tf.Tensor[] = [];
  private readonly run: Runnable[];
  private readonly inputSize: number;
  private readonly batchSize: number;
  /** Convolutions that run with the Winograd kernel. */
  readonly winogradLayers: number;
  /** Convolution + max-pooling pairs that run fused (backend/conv1-max-pool.ts). */
  readonly fusedLayers: number;

  constructor(
    readonly plan: InferencePlan,
    options: PlanRunnerOptions = {},
  ) {
    this.inputSize = plan.inputShape.reduce((a, b) => a * b, 1);
    this.batchSize = options.batchSize ?? 256;
    const winograd = options.winograd === true && winogradAvailable();
    if (winograd) registerWinogradConv();
    const fuse = options.fuseFirstLayer !== false && conv1MaxPoolAvailable();
    if (fuse) registerConv1MaxPool();
    let fast = 0;
    let fused = 0;
    this.run = [];
    for (let i = 0; i < plan.steps.length; i++) {
      const s = plan.steps[i]!;
      const next = plan.steps[i + 1];
      if (fuse && s.op === 'conv2d' && next?.op === 'maxPool' && fusesWithPool(s, next)) {
        this.run.push(this.compileFused(s));
        fused++;
        i++;
        continue;
      }
      if (winograd && s.op === 'conv2d' && winogradRuns(s) && next?.op === 'maxPool' && isMaxPool2(next)) {
        this.run.push(this.compileWinograd(s, true));
        fast++;
        i++;
        continue;
      }
      const r = this.compile(s, winograd);
      if (r.winograd) fast++;
      this.run.push(r.fn);
    }
    this.winogradLayers = fast;
    this.fusedLayers = fused;
  }

  private compileWinograd(s: Extract<PlanStep, { op: 'conv2d' }>, pool: boolean): Runnable {
    const [, , cin, cout] = s.filterShape;
    const u = this.keep(tf.tensor1d(winogradFilter(s.filter, cin, cout), 'float32'));
    const b = this.keep(s.bias ? tf.tensor1d(s.bias, 'float32') : (tf.zeros([cout], 'float32') as tf.Tensor1D));
    const relu = s.activation === 'relu';
    return (x) => winogradConv3x3(x as tf.Tensor4D, u, b, relu, pool);
  }

  private compileFused(s: Extract<PlanStep, { op: 'conv2d' }>): Runnable {
    const cout = s.filterShape[3];
    const filter = this.keep(tf.tensor4d(s.filter, [3, 3, 1, cout], 'float32'));
    const bias = this.keep(s.bias ? tf.tensor1d(s.bias, 'float32') : (tf.zeros([cout], 'float32') as tf.Tensor1D));
    return (x) => conv1MaxPool(x as tf.Tensor4D, filter, bias, s.activation === 'relu');
  }

  private keep<T extends tf.Tensor>(t: T): T {
    this.weights.push(t);
    return t;
  }

  private compile(s: PlanStep, winograd: boolean): { fn: Runnable; winograd?: boolean } {
    switch (s.op) {
      case 'conv2d': {
        if (winograd && winogradRuns(s)) return { fn: this.compileWinograd(s, false), winograd: true };
        const [fh, fw, cin, cout] = s.filterShape;
        const bias = s.bias ? this.keep(tf.tensor1d(s.bias, 'float32')) : null;
        const filter = this.keep(tf.tensor4d(s.filter, [fh, fw, cin, cout], 'float32'));
        return {
          fn: (x) =>
            tf.fused.conv2d({
              x: x as tf.Tensor4D,
              filter,
              strides: [s.strides[0], s.strides[1]],
              pad: s.padding,
              dilations: [s.dilations[0], s.dilations[1]],
              dataFormat: 'NHWC',
              bias: bias ?? undefined,
              activation: s.activation,
            }),
        };
      }
      case 'maxPool':
        return {
          fn: (x) =>
            tf.maxPool(x as tf.Tensor4D, [s.poolSize[0], s.poolSize[1]], [s.strides[0], s.strides[1]], s.padding),
        };
      case 'globalAvgPool':
        return { fn: (x) => tf.mean(x, [1, 2]) };
      case 'globalMaxPool':
        return { fn: (x) => tf.max(x, [1, 2]) };
      case 'flatten':
        return { fn: (x) => tf.reshape(x, [x.shape[0]!, -1]) };
      case 'relu':
        return { fn: (x) => tf.relu(x) };
      case 'dense': {
        const kernel = this.keep(tf.tensor2d(s.kernel, [s.kernelShape[0], s.kernelShape[1]], 'float32'));
        const bias = s.bias ? this.keep(tf.tensor1d(s.bias, 'float32')) : undefined;
        return {
          fn: (x) => tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel, bias, activation: s.activation }) as tf.Tensor,
        };
      }
      default:
        throw new RangeError(`unknown inference plan step '${String((s as { op?: unknown }).op)}'`);
    }
  }

  /** Embeddings of `rows` inputs stored one after another in `x` ([rows x outputSize]). */
  embed(x: Float32Array, rows: number): Float32Array {
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * this.inputSize)
      throw new RangeError(
        `PlanRunner.embed: ${rows} inputs of ${this.inputSize} values need ${rows * this.inputSize} values, got ${x.length}`,
      );
    const d = this.plan.outputSize;
    const out = new Float32Array(rows * d);
    for (let i = 0; i < rows; i += this.batchSize) {
      const m = Math.min(this.batchSize, rows - i);
      // the tensor leaves tidy, not its values: tidy would walk every value of a returned array
      const y = tf.tidy(() => {
        let t: tf.Tensor = tf.tensor(x.subarray(i * this.inputSize, (i + m) * this.inputSize), [
          m,
          ...this.plan.inputShape,
        ]);
        for (const f of this.run) t = f(t);
        return t;
      });
      out.set(y.dataSync() as Float32Array, i * d);
      y.dispose();
    }
    return out;
  }

  dispose(): void {
    tf.dispose(this.weights);
    this.weights.length = 0;
  }
}
