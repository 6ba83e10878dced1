import { tf } from '@fewshot/core/plugin';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

function one(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0]! : inputs;
}

/** The shape of a layer's (first) input. */
function firstShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

/** `frames` of a clip layer's arguments, checked: a positive integer, else a RangeError naming `layer`. */
function framesOf(layer: string, args: FramesToBatchArgs): number {
  if (!Number.isInteger(args.frames) || args.frames < 1)
    throw new RangeError(`${layer}: frames must be a positive integer, got ${args.frames}`);
  return args.frames;
}

export interface FramesToBatchArgs extends LayerArgs {
  /** T: frames per clip. */
  readonly frames: number;
}

/** A weightless layer over clips of `frames` frames: the frame count, its checks and its config. */
abstract class ClipLayer extends tf.layers.Layer {
  readonly frames: number;

  constructor(
    args: FramesToBatchArgs,
    private readonly label: string,
  ) {
    super(args);
    this.frames = framesOf(label, args);
  }

  /** The [batch, time, height, width, channels] input shape, checked: rank 5 and `frames` frames. */
  protected clipShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = firstShape(inputShape);
    if (shape.length !== 5)
      throw new RangeError(
        `${this.label}: expected [batch, time, height, width, channels] clips, got [${shape.join(', ')}]`,
      );
    const t = shape[1];
    if (typeof t === 'number' && t !== this.frames)
      throw new RangeError(`${this.label}: clips of ${t} frames, expected ${this.frames}`);
    return shape;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), frames: this.frames };
  }
}

/**
 * Clips to frames: [B, T, H, W, C] -> [B*T, H, W, C], so that a per-frame CNN runs on every frame of
 * every clip with shared weights in one batch (cheaper than timeDistributed, and it keeps the encoder a
 * Sequential whose batch norm can be folded). Models saved before clips had a time axis feed it
 * [B, T*H, W, C] (the frames stacked vertically: the same values), which it reshapes alike.
 */
export class FramesToBatch extends ClipLayer {
  static readonly className = 'FewshotFramesToBatch';

  constructor(args: FramesToBatchArgs) {
    super(args, 'FramesToBatch');
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = firstShape(inputShape);
    const b = shape[0];
    const frames = b == null ? null : b * this.frames;
    if (shape.length !== 4) {
      const [, , h, w, c] = this.clipShape(shape); // [B, T, H, W, C] clips (any other rank is refused)
      return [frames, h ?? null, w ?? null, c ?? null];
    }
    const [, h, w, c] = shape;
    if (typeof h === 'number' && h % this.frames !== 0)
      throw new RangeError(`FramesToBatch: height ${h} is not a multiple of ${this.frames} frames`);
    return [frames, h == null ? null : h / this.frames, w ?? null, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      if (x.rank === 5) {
        const [b, t, h, w, c] = x.shape as [number, number, number, number, number];
        return tf.reshape(x, [b * t, h, w, c]);
      }
      const [b, h, w, c] = x.shape as [number, number, number, number];
      return tf.reshape(x, [b * this.frames, h / this.frames, w, c]);
    });
  }
}

/**
 * The ink each frame adds, in order, then the whole last frame: [B, T, H, W, C] -> [B, T+1, H, W, C]
 * with d_1 = f_1, d_t = max(f_t - f_(t-1), 0) for t = 2..T, and f_T last. For a drawing video (ink
 * 1 on 0, frames spread over the drawing) d_t is what was drawn in the t-th part of the time and f_T
 * the finished character, so a per-frame encoder then sees each part of the drawing on its own and
 * the whole, and the temporal pooling knows when which ink appeared. No weights.
 */
export class FrameDifferences extends ClipLayer {
  static readonly className = 'FewshotFrameDifferences';

  constructor(args: FramesToBatchArgs) {
    super(args, 'FrameDifferences');
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, , h, w, c] = this.clipShape(inputShape);
    return [b ?? null, this.frames + 1, h ?? null, w ?? null, c ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [b, t, h, w, c] = x.shape as [number, number, number, number, number];
      const lastFrame = tf.slice(x, [0, t - 1, 0, 0, 0], [b, 1, h, w, c]);
      if (t === 1) return tf.concat([x, lastFrame], 1);
      const later = tf.slice(x, [0, 1, 0, 0, 0], [b, t - 1, h, w, c]);
      const earlier = tf.slice(x, [0, 0, 0, 0, 0], [b, t - 1, h, w, c]);
      const first = tf.slice(x, [0, 0, 0, 0, 0], [b, 1, h, w, c]);
      return tf.concat([first, tf.relu(tf.sub(later, earlier)), lastFrame], 1);
    });
  }
}

/**
 * A clip to one image of two channels per input channel: [B, T, H, W, C] -> [B, H, W, 2C]. The first C
 * are the last frame (the finished drawing); the last C are how late each pixel's ink came: the last
 * frame minus the mean of the T frames. For ink that only grows (a drawing), a pixel inked from frame s
 * on with final value v gets v (s - 1) / T: zero for what was there from the start, near v for the last
 * strokes; a still clip (T copies of one frame) gives zeros. A per-frame CNN then sees where each stroke
 * goes and in which order, next to the shape (a motion-history image, Bobick and Davis 2001).
 */
export class InkTimeMap extends ClipLayer {
  static readonly className = 'FewshotInkTimeMap';

  constructor(args: FramesToBatchArgs) {
    super(args, 'InkTimeMap');
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [b, , h, w, c] = this.clipShape(inputShape);
    return [b ?? null, h ?? null, w ?? null, typeof c === 'number' ? 2 * c : null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [b, t, h, w, c] = x.shape as [number, number, number, number, number];
      const last = tf.reshape(tf.slice(x, [0, t - 1, 0, 0, 0], [b, 1, h, w, c]), [b, h, w, c]);
      return tf.concat([last, tf.sub(last, tf.mean(x, 1))], 3);
    });
  }
}

/** How TemporalPool turns T frame embeddings into one clip embedding. */
export const POOLING_MODES = ['mean', 'max', 'last', 'concat', 'attention', 'conv', 'linear'] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

export interface TemporalPoolArgs extends LayerArgs {
  readonly frames: number;
  readonly mode: PoolingMode;
  /** attention: hidden units of the scoring MLP. */
  readonly units?: number;
  /** conv: temporal kernel size (odd). */
  readonly kernel?: number;
  /** conv: what the learned temporal features are added to: the mean of the frames (default) or the last frame. */
  readonly base?: 'mean' | 'last';
  /** Seed of the weight initialisers (attention, conv). */
  readonly seed?: number;
}

/**
 * Frame embeddings to a clip embedding: [B*T, D] -> [B, D] (`concat`: [B, T*D]).
 * - `mean`, `max`: over the T frames (no weights).
 * - `last`: the last frame's embedding (for a drawing video: the finished character; no weights).
 * - `concat`: the T embeddings in order (keeps the order of the frames; no weights).
 * - `attention`: a learned weighted mean, weights softmax_t(v . tanh(W x_t + b)) (Bahdanau-style scores).
 * - `conv`: a learned 1-D convolution over time (kernel k, D -> D, 'same' padding, ReLU), averaged over
 *   time and added to a base: the mean of the frames, mean_t(x_t + relu(conv(x)_t)), or the last frame,
 *   x_T + mean_t(relu(conv(x)_t)) (for drawings: the finished character plus how it was drawn). It sees
 *   neighbouring frames, so it can tell what was drawn in which order. Its kernel starts small, so the
 *   layer starts close to its base (a per-frame encoder trained on images keeps what it knew).
 * - `linear`: the last frame plus a learned linear map of all T frames in order, x_T + W [x_1 .. x_T] + b
 *   (W: T*D x D). W and b start at zero, so the layer starts exactly as `last` and learns what the
 *   earlier frames (how the character was drawn) add.
 */
export class TemporalPool extends tf.layers.Layer {
  static readonly className = 'FewshotTemporalPool';
  readonly frames: number;
  readonly mode: PoolingMode;
  readonly units: number;
  readonly kernel: number;
  readonly base: 'mean' | 'last';
  readonly seed: number;
  private w: tf.LayerVariable | undefined;
  private b: tf.LayerVariable | undefined;
  private v: tf.LayerVariable | undefined;

  constructor(args: TemporalPoolArgs) {
    super(args);
    if (!POOLING_MODES.includes(args.mode))
      throw new RangeError(`TemporalPool: unknown mode '${args.mode}' (known: ${POOLING_MODES.join(', ')})`);
    this.frames = args.frames;
    this.mode = args.mode;
    this.units = args.units ?? 64;
    this.kernel = args.kernel ?? 3;
    this.base = args.base ?? 'mean';
    if (this.base !== 'mean' && this.base !== 'last')
      throw new RangeError(`TemporalPool: unknown base '${String(this.base)}' (mean or last)`);
    this.seed = args.seed ?? 0;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = firstShape(inputShape);
    const d = shape[shape.length - 1];
    if (typeof d !== 'number') throw new RangeError('TemporalPool needs a known embedding size');
    if (this.mode === 'attention') {
      this.w = this.addWeight(
        'attention_w',
        [d, this.units],
        'float32',
        tf.initializers.glorotUniform({ seed: this.seed }),
      );
      this.b = this.addWeight('attention_b', [this.units], 'float32', tf.initializers.zeros());
      this.v = this.addWeight(
        'attention_v',
        [this.units, 1],
        'float32',
        tf.initializers.glorotUniform({ seed: this.seed + 1 }),
      );
    } else if (this.mode === 'linear') {
      this.w = this.addWeight('linear_w', [this.frames * d, d], 'float32', tf.initializers.zeros());
      this.b = this.addWeight('linear_b', [d], 'float32', tf.initializers.zeros());
    } else if (this.mode === 'conv') {
      // small start: the layer begins close to mean pooling and learns what the order adds
      this.w = this.addWeight(
        'conv_kernel',
        [this.kernel, d, d],
        'float32',
        tf.initializers.varianceScaling({ scale: 0.1, mode: 'fanIn', distribution: 'normal', seed: this.seed }),
      );
      this.b = this.addWeight('conv_bias', [d], 'float32', tf.initializers.zeros());
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = firstShape(inputShape);
    const b = shape[0];
    const d = shape[shape.length - 1];
    return [
      b == null ? null : b / this.frames,
      this.mode === 'concat' && typeof d === 'number' ? d * this.frames : (d ?? null),
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = one(inputs);
      const [n, d] = x.shape as [number, number];
      const t = this.frames;
      const seq = tf.reshape(x, [n / t, t, d]) as tf.Tensor3D;
      switch (this.mode) {
        case 'mean':
          return tf.mean(seq, 1);
        case 'max':
          return tf.max(seq, 1);
        case 'last':
          return tf.reshape(tf.slice(seq, [0, t - 1, 0], [n / t, 1, d]), [n / t, d]);
        case 'concat':
          return tf.reshape(seq, [n / t, t * d]);
        case 'attention': {
          const hidden = tf.tanh(tf.add(tf.matMul(x as tf.Tensor2D, this.w!.read() as tf.Tensor2D), this.b!.read()));
          const scores = tf.reshape(tf.matMul(hidden, this.v!.read() as tf.Tensor2D), [n / t, t]);
          const weights = tf.reshape(tf.softmax(scores), [n / t, t, 1]); // softmax over the frames
          return tf.sum(tf.mul(seq, weights), 1);
        }
        case 'linear': {
          const last = tf.reshape(tf.slice(seq, [0, t - 1, 0], [n / t, 1, d]), [n / t, d]);
          const all = tf.reshape(seq, [n / t, t * d]);
          return tf.add(last, tf.add(tf.matMul(all, this.w!.read() as tf.Tensor2D), this.b!.read()));
        }
        case 'conv': {
          const h = tf.relu(tf.add(tf.conv1d(seq, this.w!.read() as tf.Tensor3D, 1, 'same'), this.b!.read()));
          if (this.base === 'mean') return tf.mean(tf.add(seq, h), 1);
          const last = tf.reshape(tf.slice(seq, [0, t - 1, 0], [n / t, 1, d]), [n / t, d]);
          return tf.add(last, tf.mean(h, 1));
        }
      }
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      frames: this.frames,
      mode: this.mode,
      units: this.units,
      kernel: this.kernel,
      base: this.base,
      seed: this.seed,
    };
  }
}

tf.serialization.registerClass(FramesToBatch);
tf.serialization.registerClass(FrameDifferences);
tf.serialization.registerClass(TemporalPool);
tf.serialization.registerClass(InkTimeMap);
