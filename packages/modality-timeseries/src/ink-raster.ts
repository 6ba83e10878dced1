import { tf } from '@fewshot/core/plugin';

/** Configuration of {@link InkRaster}. */
export interface InkRasterArgs {
  /** Side of the square picture, pixels. */
  readonly size: number;
  /** Pixels per unit of the (centred, scaled) x and y channels. */
  readonly scale: number;
  /** Standard deviation of the Gaussian ink dot, pixels. */
  readonly sigma: number;
  /** Feature index of the pen-down channel, or -1 for none (every point inked). */
  readonly penIndex: number;
  readonly name?: string;
}

/**
 * Draws a batch of trajectories `[batch, time, features]` (features 0 and 1 are x and y, y up) as
 * `[batch, size, size, 1]` pictures of ink 1 on 0, the way Omniglot images are fed to image models: a
 * Gaussian dot at every point and half way between consecutive points, where the pen is down, the
 * brightest dot per pixel. No weights; differentiable in the trajectory.
 */
export class InkRaster extends tf.layers.Layer {
  static readonly className = 'FewshotInkRaster';
  readonly size: number;
  readonly scale: number;
  readonly sigma: number;
  readonly penIndex: number;

  constructor(args: InkRasterArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.size = args.size;
    this.scale = args.scale;
    this.sigma = args.sigma;
    this.penIndex = args.penIndex;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = inputShape as tf.Shape;
    return [s[0]!, this.size, this.size, 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [b, t] = x.shape;
      const point = (f: number): tf.Tensor3D => x.slice([0, 0, f], [b, t, 1]);
      // the points and the midpoints between consecutive points
      const dense = (v: tf.Tensor3D, join: (a: tf.Tensor3D, c: tf.Tensor3D) => tf.Tensor3D): tf.Tensor3D => {
        const a = v.slice([0, 0, 0], [b, t - 1, 1]);
        const c = v.slice([0, 1, 0], [b, t - 1, 1]);
        return tf.concat([v, join(a, c)], 1);
      };
      const mid = (a: tf.Tensor3D, c: tf.Tensor3D): tf.Tensor3D => a.add(c).div(2);
      const centre = (this.size - 1) / 2;
      const px = dense(point(0), mid).mul(this.scale).add(centre).expandDims(3) as tf.Tensor4D; // [b, n, 1, 1]
      const py = dense(point(1), mid).mul(-this.scale).add(centre).expandDims(3) as tf.Tensor4D;
      const grid = tf.range(0, this.size, 1, 'float32');
      const gx = grid.reshape([1, 1, 1, this.size]);
      const gy = grid.reshape([1, 1, this.size, 1]);
      const d2 = gx.sub(px).square().add(gy.sub(py).square()); // [b, n, size, size]
      let ink = d2.div(-2 * this.sigma * this.sigma).exp();
      if (this.penIndex >= 0) {
        const pen = dense(point(this.penIndex), (a, c) => a.mul(c)).expandDims(3);
        ink = ink.mul(pen);
      }
      return ink.max(1).expandDims(3);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), size: this.size, scale: this.scale, sigma: this.sigma, penIndex: this.penIndex };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as InkRasterArgs);
  }
}
tf.serialization.registerClass(InkRaster);
