// Memory-bound kernels: broadcasting binary ops, strided copies (transpose, slice) and softmax.
// Shapes arrive already collapsed (adjacent dims merged where possible) by the JS side, so the
// innermost loop is long and usually contiguous; the outer loops are shared by both cores.
#include <math.h>
#include <string.h>

#include "kernels.h"

// Offset of outer index `outer` (over dims [0, rank-1)) given per-dim strides.
static int64_t outer_offset(int64_t outer, int rank, const int64_t* shape, const int64_t* strides) {
  int64_t offset = 0;
  for (int d = rank - 2; d >= 0; d--) {
    const int64_t i = outer % shape[d];
    outer /= shape[d];
    offset += i * strides[d];
  }
  return offset;
}

#define BINARY_LOOP(EXPR)                                                          \
  if (sa == 1 && sb == 1) {                                                        \
    for (int64_t i = 0; i < inner; i++) { const float x = pa[i], y = pb[i]; po[i] = (EXPR); } \
  } else if (sa == 1 && sb == 0) {                                                 \
    const float y = pb[0];                                                         \
    for (int64_t i = 0; i < inner; i++) { const float x = pa[i]; po[i] = (EXPR); } \
  } else if (sa == 0 && sb == 1) {                                                 \
    const float x = pa[0];                                                         \
    for (int64_t i = 0; i < inner; i++) { const float y = pb[i]; po[i] = (EXPR); } \
  } else {                                                                         \
    for (int64_t i = 0; i < inner; i++) {                                          \
      const float x = pa[i * sa], y = pb[i * sb];                                  \
      po[i] = (EXPR);                                                              \
    }                                                                              \
  }

static void binary_row(int op, const float* pa, const float* pb, float* po, int64_t inner,
                       int64_t sa, int64_t sb) {
  switch (op) {
    case ATTEND_ADD: BINARY_LOOP(x + y) break;
    case ATTEND_SUB: BINARY_LOOP(x - y) break;
    case ATTEND_MUL: BINARY_LOOP(x * y) break;
    case ATTEND_DIV: BINARY_LOOP(x / y) break;
    case ATTEND_MAX: BINARY_LOOP(x > y || isnan(x) ? x : y) break;
    case ATTEND_MIN: BINARY_LOOP(x < y || isnan(x) ? x : y) break;
    case ATTEND_SQUARED_DIFF: BINARY_LOOP((x - y) * (x - y)) break;
    default: break;
  }
}

void attend_binary(int op, const float* a, const float* b, float* out, int rank,
                   const int64_t* shape, const int64_t* a_strides, const int64_t* b_strides) {
  const int64_t inner = shape[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
  const int64_t sa = a_strides[rank - 1], sb = b_strides[rank - 1];
#pragma omp parallel for schedule(static) if (outer * inner >= PARALLEL_MIN && outer > 1)
  for (int64_t o = 0; o < outer; o++) {
    binary_row(op, a + outer_offset(o, rank, shape, a_strides),
               b + outer_offset(o, rank, shape, b_strides), out + o * inner, inner, sa, sb);
  }
}

void attend_strided_copy(const float* x, float* out, int rank, const int64_t* shape,
                         const int64_t* strides, int64_t offset) {
  const int64_t inner = shape[rank - 1];
  const int64_t step = strides[rank - 1];
  int64_t outer = 1;
  for (int d = 0; d < rank - 1; d++) outer *= shape[d];
#pragma omp parallel for schedule(static) if (outer * inner >= PARALLEL_MIN && outer > 1)
  for (int64_t o = 0; o < outer; o++) {
    const float* src = x + offset + outer_offset(o, rank, shape, strides);
    float* dst = out + o * inner;
    if (step == 1) {
      memcpy(dst, src, sizeof(float) * inner);
    } else {
      for (int64_t i = 0; i < inner; i++) dst[i] = src[i * step];
    }
  }
}

void attend_softmax(const float* x, float* out, int64_t rows, int64_t cols) {
#pragma omp parallel for schedule(static) if (rows * cols >= PARALLEL_MIN && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    float max = -INFINITY;
    for (int64_t c = 0; c < cols; c++) max = in[c] > max ? in[c] : max;
    float sum = 0.0f;
    for (int64_t c = 0; c < cols; c++) {
      o[c] = expf(in[c] - max);
      sum += o[c];
    }
    const float scale = 1.0f / sum;
    for (int64_t c = 0; c < cols; c++) o[c] *= scale;
  }
}

// softmax(scale * x) of one row over the kept entries (keep NULL: all) into out (may be x);
// masked entries get 0 and a row with none kept all zeros.
static void masked_softmax_row(const float* x, const float* keep, float* out, int64_t cols,
                               float scale) {
  float max = -INFINITY;
  for (int64_t c = 0; c < cols; c++)
    if (!keep || keep[c] > 0.5f) max = x[c] > max ? x[c] : max;
  float sum = 0.0f;
  for (int64_t c = 0; c < cols; c++) {
    const float e = (!keep || keep[c] > 0.5f) ? expf(scale * (x[c] - max)) : 0.0f;
    out[c] = e;
    sum += e;
  }
  const float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
  for (int64_t c = 0; c < cols; c++) out[c] *= inv;
}

void attend_masked_softmax(const float* x, const float* keep, float* out, const MaskedSoftmaxDims* d,
                           float scale) {
  const int64_t rows = d->rows, cols = d->cols;
#pragma omp parallel for schedule(static) if (rows * cols >= PARALLEL_MIN && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * cols;
    float* o = out + r * cols;
    // Row r of [B, H, Q, Tk] reads mask row (item or 0) * maskQueries + (query or 0).
    const int64_t item = r / (d->heads * d->queries);
    const float* k =
        keep ? keep + ((d->mask_batch == 1 ? 0 : item) * d->mask_queries +
                       (d->mask_queries == 1 ? 0 : r % d->queries)) *
                          cols
             : NULL;
    masked_softmax_row(in, k, o, cols, scale);
  }
}

void attend_softmax_grad(const float* w, const float* dw, float* out, int64_t rows, int64_t cols,
                         float scale) {
#pragma omp parallel for schedule(static) if (rows * cols >= PARALLEL_MIN && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* wr = w + r * cols;
    const float* dr = dw + r * cols;
    float* o = out + r * cols;
    float dot = 0.0f;
    for (int64_t c = 0; c < cols; c++) dot += wr[c] * dr[c];
    for (int64_t c = 0; c < cols; c++) o[c] = scale * wr[c] * (dr[c] - dot);
  }
}

void attend_step_attention(const float* q, const float* k, const float* v, const float* keep,
                           float* context, float* weights, const StepAttentionDims* d,
                           float scale) {
  const int64_t keys = d->keys, depth = d->depth, heads = d->heads;
  for (int64_t b = 0; b < d->batch; b++) {
    const float* kept = keep ? keep + (d->mask_batch == 1 ? 0 : b) * keys : NULL;
    for (int64_t h = 0; h < heads; h++) {
      const int64_t bh = b * heads + h;
      const float* qh = q + bh * depth;
      const float* kh = k + bh * keys * depth;
      const float* vh = v + bh * keys * depth;
      float* w = weights + bh * keys;
      float* c = context + bh * depth;  // [B, 1, H * d]: head h's slice
      for (int64_t t = 0; t < keys; t++) {
        float s = 0.0f;
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < depth; j++) s += qh[j] * kh[t * depth + j];
        w[t] = s;
      }
      masked_softmax_row(w, kept, w, keys, scale);
      for (int64_t j = 0; j < depth; j++) c[j] = 0.0f;
      for (int64_t t = 0; t < keys; t++) {
        const float wt = w[t];
        if (wt == 0.0f) continue;
        for (int64_t j = 0; j < depth; j++) c[j] += wt * vh[t * depth + j];
      }
    }
  }
}
