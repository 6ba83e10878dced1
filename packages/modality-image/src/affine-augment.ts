import { z, type Rng } from '@fewshot/core/plugin';

/**
 * `train.augment` of the image modality: the random affine distortions of Koch et al. (2015), and
 * class augmentation by 90 degree rotations (`rotateClasses`). The distortion defaults are the
 * paper's, so `augment: { affine: true }` is enough. Setting distortion keys without `affine` is an
 * error (rather than a silent no-op); `affine: false` switches the distortions off.
 * The parsed form has every key, so parsing it again gives the same object.
 */
export const affineAugmentSchema = z
  .strictObject({
    affine: z.boolean().optional().describe('apply the random affine distortions (default false)'),
    probability: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('chance that each of the 7 components is applied (default 0.5)'),
    rotation: z.number().min(0).max(180).optional().describe('max rotation in degrees, theta ~ U[-r, r] (default 10)'),
    shear: z.number().min(0).max(2).optional().describe('max shear, rho_x, rho_y ~ U[-s, s] (default 0.3)'),
    scale: z.number().min(0).lt(1).optional().describe('max scale deviation, s_x, s_y ~ U[1-s, 1+s] (default 0.2)'),
    translation: z
      .number()
      .min(0)
      .max(52)
      .optional()
      .describe('max shift in pixels at 105 px, scaled to the image size (default 2)'),
    fill: z
      .number()
      .optional()
      .describe('value of pixels that come from outside the image (default 0, the background)'),
    rotateClasses: z
      .boolean()
      .optional()
      .describe(
        'class augmentation: every training class rotated by 90, 180 and 270 degrees as three new classes (default false; square inputs)',
      ),
  })
  .superRefine((v, ctx) => {
    const { rotateClasses: _, ...affineKeys } = v;
    if (v.affine === undefined && Object.values(affineKeys).some((x) => x !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['affine'],
        message: 'required with the other settings: true to apply the distortions, false to switch them off',
      });
    }
  })
  .transform((v) => ({
    affine: v.affine ?? false,
    probability: v.probability ?? 0.5,
    rotation: v.rotation ?? 10,
    shear: v.shear ?? 0.3,
    scale: v.scale ?? 0.2,
    translation: v.translation ?? 2,
    fill: v.fill ?? 0,
    rotateClasses: v.rotateClasses ?? false,
  }));

/** Parsed `train.augment` settings. */
export type AffineAugmentOptions = z.output<typeof affineAugmentSchema>;

/** One affine distortion: degrees, shears, scale factors and shifts in pixels of the actual image. */
export interface AffineParams {
  readonly rotation: number;
  readonly shearX: number;
  readonly shearY: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly translateX: number;
  readonly translateY: number;
}

/**
 * Forward 2x3 matrix `[a, b, tx, c, d, ty]` mapping source pixel (x = column, y = row) to destination
 * `(a x + b y + tx, c x + d y + ty)`: T * R * Sh * S about the image centre ((w-1)/2, (h-1)/2), with
 * R = [cos -sin; sin cos] (positive angles turn clockwise on screen, y pointing down),
 * Sh = [1 shearX; shearY 1] and S = diag(scaleX, scaleY).
 */
export function affineMatrix(p: AffineParams, height: number, width: number): number[] {
  const t = (p.rotation * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  // Sh * S
  const m00 = p.scaleX;
  const m01 = p.shearX * p.scaleY;
  const m10 = p.shearY * p.scaleX;
  const m11 = p.scaleY;
  // R * (Sh * S)
  const a = cos * m00 - sin * m10;
  const b = cos * m01 - sin * m11;
  const c = sin * m00 + cos * m10;
  const d = sin * m01 + cos * m11;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return [a, b, p.translateX + cx - (a * cx + b * cy), c, d, p.translateY + cy - (c * cx + d * cy)];
}

/**
 * Resample `src` (HWC) through the forward `matrix` of `affineMatrix` into `dst` (a different array of
 * the same size) by inverse mapping and bilinear interpolation; neighbours outside the image count as
 * `fill`. Outputs are convex combinations of inputs and `fill`, so [0, 1] data stays in [0, 1].
 */
export function warpAffine(
  src: Float32Array,
  dst: Float32Array,
  height: number,
  width: number,
  channels: number,
  matrix: readonly number[],
  fill: number,
): void {
  const [a, b, tx, c, d, ty] = matrix as [number, number, number, number, number, number];
  const det = a * d - b * c;
  if (!(Math.abs(det) > 1e-12)) throw new RangeError('warpAffine: the matrix is singular');
  const i00 = d / det,
    i01 = -b / det,
    i10 = -c / det,
    i11 = a / det;
  const rowStride = width * channels;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const ry = y - ty;
    for (let x = 0; x < width; x++) {
      const rx = x - tx;
      const sx = i00 * rx + i01 * ry;
      const sy = i10 * rx + i11 * ry;
      if (sx < -1 || sy < -1 || sx >= width || sy >= height) {
        for (let k = 0; k < channels; k++) dst[o++] = fill;
        continue;
      }
      // floor without Math.floor (not inlined in some VM contexts, e.g. Jest's): sx, sy are in [-1, size)
      const x0 = sx < 0 ? -1 : sx | 0;
      const y0 = sy < 0 ? -1 : sy | 0;
      const fx = sx - x0,
        fy = sy - y0;
      const w00 = (1 - fx) * (1 - fy),
        w01 = fx * (1 - fy),
        w10 = (1 - fx) * fy,
        w11 = fx * fy;
      const p = y0 * rowStride + x0 * channels;
      if (x0 >= 0 && y0 >= 0 && x0 < width - 1 && y0 < height - 1) {
        for (let k = 0; k < channels; k++) {
          const q = p + k;
          dst[o++] =
            w00 * src[q]! + w01 * src[q + channels]! + w10 * src[q + rowStride]! + w11 * src[q + rowStride + channels]!;
        }
        continue;
      }
      const inX0 = x0 >= 0,
        inX1 = x0 + 1 < width,
        inY0 = y0 >= 0,
        inY1 = y0 + 1 < height;
      for (let k = 0; k < channels; k++) {
        const q = p + k;
        const v00 = inX0 && inY0 ? src[q]! : fill;
        const v01 = inX1 && inY0 ? src[q + channels]! : fill;
        const v10 = inX0 && inY1 ? src[q + rowStride]! : fill;
        const v11 = inX1 && inY1 ? src[q + rowStride + channels]! : fill;
        dst[o++] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
      }
    }
  }
}

/**
 * Draw one distortion: each of the 7 components (theta, rho_x, rho_y, s_x, s_y, t_x, t_y, in this
 * order) is applied with `probability`, drawing `chance` and then, if applied, `uniform` from `rng`.
 * Returns null when no component was applied. Translation is scaled from 105 px to the image size.
 */
export function drawAffineParams(
  o: AffineAugmentOptions,
  height: number,
  width: number,
  rng: Rng,
): AffineParams | null {
  let any = false;
  const draw = (max: number, identity: number): number => {
    if (!rng.chance(o.probability)) return identity;
    any = true;
    return identity + rng.uniform(-max, max);
  };
  const rotation = draw(o.rotation, 0);
  const shearX = draw(o.shear, 0);
  const shearY = draw(o.shear, 0);
  const scaleX = draw(o.scale, 1);
  const scaleY = draw(o.scale, 1);
  const translateX = draw(o.translation, 0) * (width / 105);
  const translateY = draw(o.translation, 0) * (height / 105);
  return any ? { rotation, shearX, shearY, scaleX, scaleY, translateX, translateY } : null;
}

let sharedScratch = new Float32Array(0);

/**
 * Koch-style augmentation of one HWC sample in place: draw a distortion from `rng` and resample the
 * sample through it. Leaves the sample untouched (and draws nothing) when `affine` is false or the
 * probability is 0, and untouched when no component was drawn. `scratch` (at least the sample's
 * length) avoids the module's shared buffer.
 */
export function affineAugment(
  sample: Float32Array,
  height: number,
  width: number,
  channels: number,
  options: AffineAugmentOptions,
  rng: Rng,
  scratch?: Float32Array,
): void {
  if (!options.affine || options.probability === 0) return;
  const n = height * width * channels;
  if (sample.length !== n)
    throw new RangeError(
      `affineAugment: sample has ${sample.length} values, expected ${height}x${width}x${channels} = ${n}`,
    );
  const params = drawAffineParams(options, height, width, rng);
  if (!params) return;
  let src = scratch;
  if (!src || src.length < n) {
    if (sharedScratch.length < n) sharedScratch = new Float32Array(n);
    src = sharedScratch;
  }
  src.set(sample);
  warpAffine(src, sample, height, width, channels, affineMatrix(params, height, width), options.fill);
}
