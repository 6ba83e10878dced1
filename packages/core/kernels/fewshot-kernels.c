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
