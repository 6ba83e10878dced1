/*
 * fewshot's own training kernels for the tfjs wasm backend, in plain wasm SIMD128 (no relaxed SIMD).
 *
 * Built by packages/core/kernels/build.sh (clang-14 + wasm-ld-14, `npm run build:kernels`) into
 * fewshot-kernels.wasm, which is committed and shipped: users never build it. The module imports the
 * tfjs-backend-wasm module's memory (env.memory) and works on tensors in place: every pointer is a byte
 * offset into that memory (a tensor's memoryOffset, or scratch from the backend's _malloc). The module
 * has no data segment and uses no shadow stack (build.sh checks that it never touches __stack_pointer),
 * so it never writes outside the buffers it is given. Loaded and called by src/backend/simd-kernels.ts.
 */
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) __attribute__((visibility("default")))

/*
 * dst[j] = (sum_{o < outer} src[o * inner + j]) / divisor, summed in float64 in row order (like the
 * cpu backend, so sums match it bit for bit). Channels go in blocks of 8 / 2 / 1 whose float64
 * accumulators stay in registers while the rows stream by.
 */
EXPORT(reduce_leading)
void reduce_leading(const float *src, int32_t outer, int32_t inner, float *dst, double divisor) {
  int32_t j = 0;
  for (; j + 8 <= inner; j += 8) {
    v128_t a0 = wasm_f64x2_splat(0), a1 = a0, a2 = a0, a3 = a0;
    const float *p = src + j;
    for (int32_t o = 0; o < outer; o++, p += inner) {
      v128_t v0 = wasm_v128_load(p), v1 = wasm_v128_load(p + 4);
      a0 = wasm_f64x2_add(a0, wasm_f64x2_promote_low_f32x4(v0));
      a1 = wasm_f64x2_add(a1, wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(v0, v0, 1, 0)));
      a2 = wasm_f64x2_add(a2, wasm_f64x2_promote_low_f32x4(v1));
      a3 = wasm_f64x2_add(a3, wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(v1, v1, 1, 0)));
    }
    v128_t d = wasm_f64x2_splat(divisor);
    v128_t r0 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(a0, d));
    v128_t r1 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(a1, d));
    v128_t r2 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(a2, d));
    v128_t r3 = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(a3, d));
    wasm_v128_store(dst + j, wasm_i64x2_shuffle(r0, r1, 0, 2));
    wasm_v128_store(dst + j + 4, wasm_i64x2_shuffle(r2, r3, 0, 2));
  }
  for (; j + 2 <= inner; j += 2) {
    v128_t a = wasm_f64x2_splat(0);
    const float *p = src + j;
    for (int32_t o = 0; o < outer; o++, p += inner) a = wasm_f64x2_add(a, wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(p)));
    v128_t r = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_div(a, wasm_f64x2_splat(divisor)));
    dst[j] = wasm_f32x4_extract_lane(r, 0);
    dst[j + 1] = wasm_f32x4_extract_lane(r, 1);
  }
  for (; j < inner; j++) {
    double a = 0;
    const float *p = src + j;
    for (int32_t o = 0; o < outer; o++, p += inner) a += (double)*p;
    dst[j] = (float)(a / divisor);
  }
}

/*
 * MaxPoolGrad with the cpu backend's tie rule (each window's gradient goes to its FIRST maximum in
 * row-major window order; windows of only NaN / -Infinity get none). NHWC float32; dx is zeroed here.
 * Channels go in vectors of 4 (argmax kept per lane), the rest one by one.
 */
EXPORT(max_pool_grad)
void max_pool_grad(const float *x, const float *dy, float *dx, int32_t batch, int32_t in_h, int32_t in_w, int32_t c,
                   int32_t out_h, int32_t out_w, int32_t stride_h, int32_t stride_w, int32_t dil_h, int32_t dil_w,
                   int32_t eff_h, int32_t eff_w, int32_t pad_top, int32_t pad_left) {
  const int32_t total = batch * in_h * in_w * c;
  for (int32_t i = 0; i < total; i++) dx[i] = 0;
  const int32_t row = in_w * c;
  const int32_t c4 = c & ~3;
  for (int32_t b = 0; b < batch; b++) {
    const int32_t xb = b * in_h * row;
    for (int32_t oy = 0; oy < out_h; oy++) {
      const int32_t r0 = oy * stride_h - pad_top;
      int32_t rmin = r0;
      while (rmin < 0) rmin += dil_h;
      const int32_t rmax = r0 + eff_h < in_h ? r0 + eff_h : in_h;
      for (int32_t ox = 0; ox < out_w; ox++) {
        const int32_t c0 = ox * stride_w - pad_left;
        int32_t cmin = c0;
        while (cmin < 0) cmin += dil_w;
        const int32_t cmax = c0 + eff_w < in_w ? c0 + eff_w : in_w;
        const float *g = dy + ((b * out_h + oy) * out_w + ox) * c;
        for (int32_t ch = 0; ch < c4; ch += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t arg = wasm_i32x4_splat(-1);
          for (int32_t r = rmin; r < rmax; r += dil_h) {
            for (int32_t col = cmin; col < cmax; col += dil_w) {
              const int32_t base = xb + r * row + col * c + ch;
              v128_t v = wasm_v128_load(x + base);
              v128_t gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              arg = wasm_v128_bitselect(wasm_i32x4_splat(base), arg, gt);
            }
          }
          int32_t a0 = wasm_i32x4_extract_lane(arg, 0), a1 = wasm_i32x4_extract_lane(arg, 1);
          int32_t a2 = wasm_i32x4_extract_lane(arg, 2), a3 = wasm_i32x4_extract_lane(arg, 3);
          if (a0 >= 0) dx[a0] += g[ch];
          if (a1 >= 0) dx[a1 + 1] += g[ch + 1];
          if (a2 >= 0) dx[a2 + 2] += g[ch + 2];
          if (a3 >= 0) dx[a3 + 3] += g[ch + 3];
        }
        for (int32_t ch = c4; ch < c; ch++) {
          float best = -__builtin_inff();
          int32_t arg = -1;
          for (int32_t r = rmin; r < rmax; r += dil_h) {
            for (int32_t col = cmin; col < cmax; col += dil_w) {
              const int32_t at = xb + r * row + col * c + ch;
              if (x[at] > best) {
                best = x[at];
                arg = at;
              }
            }
          }
          if (arg >= 0) dx[arg] += g[ch];
        }
      }
    }
  }
}

/*
 * FusedBatchNorm forward, bit for bit as tfjs-backend-wasm 4.22 computes it:
 *   out = (float)((double)offset + (double)((x - mean) * scale) / (double)sqrtf(variance + eps))
 * with per-channel parameters over the last axis (c channels; offset / scale may be null: 0 / 1).
 * `nf` is scratch for c floats.
 */
EXPORT(batch_norm)
void batch_norm(const float *x, const float *mean, const float *variance, const float *offset, const float *scale,
                float *out, int32_t size, int32_t c, float eps, float *nf) {
  for (int32_t j = 0; j < c; j++) nf[j] = __builtin_sqrtf(variance[j] + eps);
  const int32_t rows = size / c;
  const int32_t c4 = c & ~3;
  for (int32_t o = 0; o < rows; o++) {
    const float *xp = x + o * c;
    float *op = out + o * c;
    int32_t j = 0;
    for (; j < c4; j += 4) {
      v128_t d = wasm_f32x4_sub(wasm_v128_load(xp + j), wasm_v128_load(mean + j));
      if (scale) d = wasm_f32x4_mul(d, wasm_v128_load(scale + j));
      v128_t n = wasm_v128_load(nf + j);
      v128_t lo = wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(d), wasm_f64x2_promote_low_f32x4(n));
      v128_t hi = wasm_f64x2_div(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(d, d, 1, 0)),
                                 wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(n, n, 1, 0)));
      if (offset) {
        v128_t f = wasm_v128_load(offset + j);
        lo = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(f), lo);
        hi = wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(f, f, 1, 0)), hi);
      }
      v128_t r = wasm_i64x2_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 2);
      wasm_v128_store(op + j, r);
    }
    for (; j < c; j++) {
      float d = (xp[j] - mean[j]) * (scale ? scale[j] : 1.0f);
      op[j] = (float)((double)(offset ? offset[j] : 0.0f) + (double)d / (double)nf[j]);
    }
  }
}

/*
 * Filter gradient of a stride-1, dilation-1 NHWC convolution whose patch fh*fw*in_c is small (the first
 * layer of an image net: 3x3x1), where tfjs's route (im2col, a transpose of dy, a matmul) is mostly
 * memory shuffling:  dw[i, j, ci, co] = sum_{b, oy, ox} x[b, oy+i-pad_top, ox+j-pad_left, ci] * dy[b, oy, ox, co]
 * (zero outside x). Each image's sums are accumulated in `part` (fh*fw*in_c*out_c floats of scratch)
 * and then added to dw, which keeps float32 rounding to per-image sums.
 */
EXPORT(conv_filter_grad_small)
void conv_filter_grad_small(const float *x, const float *dy, float *dw, float *part, int32_t batch, int32_t in_h,
                            int32_t in_w, int32_t in_c, int32_t out_h, int32_t out_w, int32_t out_c, int32_t fh,
                            int32_t fw, int32_t pad_top, int32_t pad_left) {
  const int32_t k_total = fh * fw * in_c * out_c;
  const int32_t oc4 = out_c & ~3;
  for (int32_t k = 0; k < k_total; k++) dw[k] = 0;
  for (int32_t b = 0; b < batch; b++) {
    for (int32_t k = 0; k < k_total; k++) part[k] = 0;
    for (int32_t oy = 0; oy < out_h; oy++) {
      for (int32_t ox = 0; ox < out_w; ox++) {
        const float *g = dy + ((b * out_h + oy) * out_w + ox) * out_c;
        for (int32_t i = 0; i < fh; i++) {
          const int32_t iy = oy + i - pad_top;
          if (iy < 0 || iy >= in_h) continue;
          for (int32_t j = 0; j < fw; j++) {
            const int32_t ix = ox + j - pad_left;
            if (ix < 0 || ix >= in_w) continue;
            const float *xp = x + ((b * in_h + iy) * in_w + ix) * in_c;
            float *acc = part + (i * fw + j) * in_c * out_c;
            for (int32_t ci = 0; ci < in_c; ci++, acc += out_c) {
              const float xs = xp[ci];
              const v128_t xv = wasm_f32x4_splat(xs);
              int32_t co = 0;
              for (; co < oc4; co += 4) {
                wasm_v128_store(acc + co, wasm_f32x4_add(wasm_v128_load(acc + co), wasm_f32x4_mul(xv, wasm_v128_load(g + co))));
              }
              for (; co < out_c; co++) acc[co] += xs * g[co];
            }
          }
        }
      }
    }
    int32_t k = 0;
    for (; k + 4 <= k_total; k += 4) wasm_v128_store(dw + k, wasm_f32x4_add(wasm_v128_load(dw + k), wasm_v128_load(part + k)));
    for (; k < k_total; k++) dw[k] += part[k];
  }
}

/*
 * Input gradient of a stride-1, dilation-1 NHWC convolution with few input channels (the first layer of
 * an image net, whose dx tfjs computes although nothing uses it):
 *   dx[b, y, x, ci] = sum_{i, j, co} dy[b, y+pad_top-i, x+pad_left-j, co] * w[i, j, ci, co]
 * (terms outside dy vanish), as SIMD dot products over co.
 */
EXPORT(conv_input_grad_small)
void conv_input_grad_small(const float *dy, const float *w, float *dx, int32_t batch, int32_t in_h, int32_t in_w,
                           int32_t in_c, int32_t out_h, int32_t out_w, int32_t out_c, int32_t fh, int32_t fw,
                           int32_t pad_top, int32_t pad_left) {
  const int32_t oc4 = out_c & ~3;
  for (int32_t b = 0; b < batch; b++) {
    for (int32_t y = 0; y < in_h; y++) {
      for (int32_t xx = 0; xx < in_w; xx++) {
        float *d = dx + ((b * in_h + y) * in_w + xx) * in_c;
        for (int32_t ci = 0; ci < in_c; ci++) {
          v128_t acc = wasm_f32x4_splat(0);
          float tail = 0;
          for (int32_t i = 0; i < fh; i++) {
            const int32_t oy = y + pad_top - i;
            if (oy < 0 || oy >= out_h) continue;
            for (int32_t j = 0; j < fw; j++) {
              const int32_t ox = xx + pad_left - j;
              if (ox < 0 || ox >= out_w) continue;
              const float *g = dy + ((b * out_h + oy) * out_w + ox) * out_c;
              const float *wr = w + ((i * fw + j) * in_c + ci) * out_c;
              int32_t co = 0;
              for (; co < oc4; co += 4) acc = wasm_f32x4_add(acc, wasm_f32x4_mul(wasm_v128_load(g + co), wasm_v128_load(wr + co)));
              for (; co < out_c; co++) tail += g[co] * wr[co];
            }
          }
          d[ci] = (wasm_f32x4_extract_lane(acc, 0) + wasm_f32x4_extract_lane(acc, 1)) +
                  (wasm_f32x4_extract_lane(acc, 2) + wasm_f32x4_extract_lane(acc, 3)) + tail;
        }
      }
    }
  }
}

/*
 * out[j] = sum_{o < outer} (x[o*c + j] - mean[j]) * dy[o*c + j], the batch-norm gradient's one reduction
 * over full-size tensors (for the scale and variance gradients), summed in float64. `acc` is scratch
 * for c doubles.
 */
EXPORT(centered_dot)
void centered_dot(const float *x, const float *mean, const float *dy, float *out, int32_t outer, int32_t c, double *acc) {
  for (int32_t j = 0; j < c; j++) acc[j] = 0;
  const int32_t c4 = c & ~3;
  for (int32_t o = 0; o < outer; o++) {
    const float *xp = x + o * c;
    const float *gp = dy + o * c;
    int32_t j = 0;
    for (; j < c4; j += 4) {
      v128_t p = wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(xp + j), wasm_v128_load(mean + j)), wasm_v128_load(gp + j));
      wasm_v128_store(acc + j, wasm_f64x2_add(wasm_v128_load(acc + j), wasm_f64x2_promote_low_f32x4(p)));
      wasm_v128_store(acc + j + 2, wasm_f64x2_add(wasm_v128_load(acc + j + 2), wasm_f64x2_promote_low_f32x4(wasm_i64x2_shuffle(p, p, 1, 0))));
    }
    for (; j < c; j++) acc[j] += (double)((xp[j] - mean[j]) * gp[j]);
  }
  for (int32_t j = 0; j < c; j++) out[j] = (float)acc[j];
}

/* out[o*c + j] = x[o*c + j] * f[j]: a per-channel (last axis) scale of a full-size tensor. */
EXPORT(channel_scale)
void channel_scale(const float *x, const float *f, float *out, int32_t outer, int32_t c) {
  const int32_t c4 = c & ~3;
  for (int32_t o = 0; o < outer; o++) {
    const float *xp = x + o * c;
    float *op = out + o * c;
    int32_t j = 0;
    for (; j < c4; j += 4) wasm_v128_store(op + j, wasm_f32x4_mul(wasm_v128_load(xp + j), wasm_v128_load(f + j)));
    for (; j < c; j++) op[j] = xp[j] * f[j];
  }
}

/*
 * Inference-only 3x3 convolution, stride 1, 'same' padding (1 on every side), NHWC float32, by Winograd
 * F(2x2, 3x3) (Lavin & Gray 2016): every 2x2 output tile is A^T [sum_c U_c (.) (B^T d_c B)] A, 16
 * multiplies per tile and channel pair instead of 36. `u` holds the filter already transformed,
 * U = G g G^T, as [16][cin][cout] (winogradFilter in src/backend/winograd-conv.ts). Adds `bias`
 * (cout values), then ReLU when `relu` is non-zero. cin must be a multiple of 4 and cout of 8.
 * With `pool` non-zero, the 2x2 max-pooling (stride 2, 'valid') that follows is done too: every pooled
 * pixel is one whole output tile, so y is [n, h / 2, w / 2, cout] and the tiles the pooling drops are
 * never computed; the values are those of the convolution and then tfjs's maxPool, bit for bit.
 * `scratch` holds 16 * WINO_TILES * (cin + cout) floats. Rounding differs from a direct convolution
 * (sums in another order), by a few units in the last place of float32: for inference, not training.
 */
#define WINO_TILES 32

/* C[WINO_TILES x cout] = A[WINO_TILES x k] * B[k x cout] for one of the 16 Winograd positions. */
static void wino_gemm(const float *a, const float *b, float *c, int32_t k, int32_t cout) {
  for (int32_t j = 0; j < cout; j += 8) {
    for (int32_t r = 0; r < WINO_TILES; r += 4) {
      const float *a0 = a + r * k, *a1 = a0 + k, *a2 = a1 + k, *a3 = a2 + k;
      const float *bp = b + j;
      v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
      for (int32_t kk = 0; kk < k; kk++) {
        const v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
        bp += cout;
        v128_t s = wasm_v128_load32_splat(a0 + kk);
        c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(s, b0));
        c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(s, b1));
        s = wasm_v128_load32_splat(a1 + kk);
        c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(s, b0));
        c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(s, b1));
        s = wasm_v128_load32_splat(a2 + kk);
        c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(s, b0));
        c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(s, b1));
        s = wasm_v128_load32_splat(a3 + kk);
        c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(s, b0));
        c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(s, b1));
      }
      float *cp = c + r * cout + j;
      wasm_v128_store(cp, c00);
      wasm_v128_store(cp + 4, c01);
      cp += cout;
      wasm_v128_store(cp, c10);
      wasm_v128_store(cp + 4, c11);
      cp += cout;
      wasm_v128_store(cp, c20);
      wasm_v128_store(cp + 4, c21);
      cp += cout;
      wasm_v128_store(cp, c30);
      wasm_v128_store(cp + 4, c31);
    }
  }
}

EXPORT(winograd_conv3x3)
void winograd_conv3x3(const float *x, const float *u, const float *bias, float *y, float *scratch, int32_t n,
                      int32_t h, int32_t w, int32_t cin, int32_t cout, int32_t relu, int32_t pool) {
  /* with `pool`, only the tiles wholly inside the image, each max-pooled to one output pixel */
  const int32_t th = pool ? h / 2 : (h + 1) / 2, tw = pool ? w / 2 : (w + 1) / 2;
  const int32_t per_image = th * tw, total = n * per_image;
  float *v = scratch;                         /* [16][WINO_TILES][cin] */
  float *m = scratch + 16 * WINO_TILES * cin; /* [16][WINO_TILES][cout] */
  const int32_t vstride = WINO_TILES * cin, mstride = WINO_TILES * cout;
  const v128_t zero = wasm_f32x4_splat(0);
  for (int32_t t0 = 0; t0 < total; t0 += WINO_TILES) {
    const int32_t count = total - t0 < WINO_TILES ? total - t0 : WINO_TILES;
    /* input transform V = B^T d B, channels in vectors of 4 */
    for (int32_t t = 0; t < WINO_TILES; t++) {
      if (t >= count) {
        for (int32_t p = 0; p < 16; p++)
          for (int32_t ch = 0; ch < cin; ch += 4) wasm_v128_store(v + p * vstride + t * cin + ch, zero);
        continue;
      }
      const int32_t tile = t0 + t, b = tile / per_image, r = tile % per_image;
      const int32_t y0 = (r / tw) * 2 - 1, x0 = (r % tw) * 2 - 1;
      const float *xb = x + (int64_t)b * h * w * cin;
      for (int32_t ch = 0; ch < cin; ch += 4) {
        v128_t d[4][4];
        for (int32_t i = 0; i < 4; i++) {
          const int32_t yy = y0 + i;
          for (int32_t j = 0; j < 4; j++) {
            const int32_t xx = x0 + j;
            d[i][j] = (yy >= 0 && yy < h && xx >= 0 && xx < w) ? wasm_v128_load(xb + (yy * w + xx) * cin + ch) : zero;
          }
        }
        v128_t s[4][4];
        for (int32_t j = 0; j < 4; j++) {
          s[0][j] = wasm_f32x4_sub(d[0][j], d[2][j]);
          s[1][j] = wasm_f32x4_add(d[1][j], d[2][j]);
          s[2][j] = wasm_f32x4_sub(d[2][j], d[1][j]);
          s[3][j] = wasm_f32x4_sub(d[1][j], d[3][j]);
        }
        float *vp = v + t * cin + ch;
        for (int32_t i = 0; i < 4; i++) {
          wasm_v128_store(vp + (i * 4 + 0) * vstride, wasm_f32x4_sub(s[i][0], s[i][2]));
          wasm_v128_store(vp + (i * 4 + 1) * vstride, wasm_f32x4_add(s[i][1], s[i][2]));
          wasm_v128_store(vp + (i * 4 + 2) * vstride, wasm_f32x4_sub(s[i][2], s[i][1]));
          wasm_v128_store(vp + (i * 4 + 3) * vstride, wasm_f32x4_sub(s[i][1], s[i][3]));
        }
      }
    }
    /* 16 products M_p = V_p U_p */
    for (int32_t p = 0; p < 16; p++) wino_gemm(v + p * vstride, u + p * cin * cout, m + p * mstride, cin, cout);
    /* output transform Y = A^T M A, bias, ReLU */
    for (int32_t t = 0; t < count; t++) {
      const int32_t tile = t0 + t, b = tile / per_image, r = tile % per_image;
      const int32_t oy = (r / tw) * 2, ox = (r % tw) * 2;
      float *yb = y + (int64_t)b * (pool ? per_image : h * w) * cout;
      const int32_t down = oy + 1 < h, right = ox + 1 < w;
      for (int32_t ch = 0; ch < cout; ch += 4) {
        const float *mp = m + t * cout + ch;
        v128_t q[4][4];
        for (int32_t i = 0; i < 4; i++)
          for (int32_t j = 0; j < 4; j++) q[i][j] = wasm_v128_load(mp + (i * 4 + j) * mstride);
        v128_t s0[4], s1[4];
        for (int32_t j = 0; j < 4; j++) {
          s0[j] = wasm_f32x4_add(wasm_f32x4_add(q[0][j], q[1][j]), q[2][j]);
          s1[j] = wasm_f32x4_sub(wasm_f32x4_sub(q[1][j], q[2][j]), q[3][j]);
        }
        const v128_t bv = wasm_v128_load(bias + ch);
        v128_t o00 = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(s0[0], s0[1]), s0[2]), bv);
        v128_t o01 = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_sub(s0[1], s0[2]), s0[3]), bv);
        v128_t o10 = wasm_f32x4_add(wasm_f32x4_add(wasm_f32x4_add(s1[0], s1[1]), s1[2]), bv);
        v128_t o11 = wasm_f32x4_add(wasm_f32x4_sub(wasm_f32x4_sub(s1[1], s1[2]), s1[3]), bv);
        if (pool) {
          /* max-pooling, then ReLU: the same as ReLU, then max-pooling */
          v128_t best = wasm_f32x4_max(wasm_f32x4_max(o00, o01), wasm_f32x4_max(o10, o11));
          if (relu) best = wasm_f32x4_max(best, zero);
          wasm_v128_store(yb + r * cout + ch, best);
          continue;
        }
        if (relu) {
          o00 = wasm_f32x4_max(o00, zero);
          o01 = wasm_f32x4_max(o01, zero);
          o10 = wasm_f32x4_max(o10, zero);
          o11 = wasm_f32x4_max(o11, zero);
        }
        float *yp = yb + (oy * w + ox) * cout + ch;
        wasm_v128_store(yp, o00);
        if (right) wasm_v128_store(yp + cout, o01);
        if (down) {
          wasm_v128_store(yp + w * cout, o10);
          if (right) wasm_v128_store(yp + w * cout + cout, o11);
        }
      }
    }
  }
}

/*
 * Inference-only first layer of a Conv-4: 3x3 convolution of ONE input channel, stride 1, 'same'
 * padding, + bias, [ReLU,] then 2x2 max-pooling with stride 2 ('valid'), in one pass, NHWC float32:
 * x [n, h, w, 1], filter [3, 3, 1, cout] (HWIO), y [n, h / 2, w / 2, cout] (rounded down). Each
 * convolution output is summed as XNNPACK's igemm does (bias first, then the 9 taps in row-major
 * order, each product rounded, padding taps adding 0 * w), and max-pooling then ReLU equals ReLU then
 * max-pooling, so the result is tfjs-backend-wasm's fused conv2d + maxPool bit for bit.
 * cout must be a multiple of 4.
 */
EXPORT(conv3x3_c1_maxpool2)
void conv3x3_c1_maxpool2(const float *x, const float *filter, const float *bias, float *y, int32_t n, int32_t h,
                         int32_t w, int32_t cout, int32_t relu) {
  const int32_t ph = h / 2, pw = w / 2;
  const v128_t zero = wasm_f32x4_splat(0);
  for (int32_t b = 0; b < n; b++) {
    const float *xb = x + (int64_t)b * h * w;
    float *yb = y + (int64_t)b * ph * pw * cout;
    for (int32_t py = 0; py < ph; py++) {
      for (int32_t px = 0; px < pw; px++) {
        /* the 4x4 input patch under the 2x2 window's four 3x3 neighbourhoods, zero outside */
        float p[16];
        for (int32_t i = 0; i < 4; i++) {
          const int32_t yy = 2 * py - 1 + i;
          for (int32_t j = 0; j < 4; j++) {
            const int32_t xx = 2 * px - 1 + j;
            p[i * 4 + j] = (yy >= 0 && yy < h && xx >= 0 && xx < w) ? xb[yy * w + xx] : 0.0f;
          }
        }
        v128_t sp[16];
        for (int32_t k = 0; k < 16; k++) sp[k] = wasm_f32x4_splat(p[k]);
        float *out = yb + (py * pw + px) * cout;
        for (int32_t c = 0; c < cout; c += 4) {
          const v128_t bv = wasm_v128_load(bias + c);
          v128_t wv[9];
          for (int32_t k = 0; k < 9; k++) wv[k] = wasm_v128_load(filter + k * cout + c);
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          for (int32_t dy = 0; dy < 2; dy++) {
            for (int32_t dx = 0; dx < 2; dx++) {
              v128_t acc = bv;
              for (int32_t ky = 0; ky < 3; ky++)
                for (int32_t kx = 0; kx < 3; kx++)
                  acc = wasm_f32x4_add(acc, wasm_f32x4_mul(sp[(dy + ky) * 4 + dx + kx], wv[ky * 3 + kx]));
              best = wasm_f32x4_max(best, acc);
            }
          }
          if (relu) best = wasm_f32x4_max(best, zero);
          wasm_v128_store(out + c, best);
        }
      }
    }
  }
}
