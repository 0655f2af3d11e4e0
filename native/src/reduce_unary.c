// Reductions over the middle axis of an [outer, reduce, inner] view, and element-wise unary ops.
#include <math.h>
#include <string.h>

#include "kernels.h"

void attend_reduce(int op, const float* x, float* out, int64_t outer, int64_t reduce,
                   int64_t inner) {
  const float scale = op == ATTEND_REDUCE_MEAN && reduce > 0 ? 1.0f / (float)reduce : 1.0f;
  const int is_sum = op == ATTEND_REDUCE_SUM || op == ATTEND_REDUCE_MEAN;
#pragma omp parallel for schedule(static) if (outer * reduce * inner >= PARALLEL_MIN && outer > 1)
  for (int64_t o = 0; o < outer; o++) {
    const float* src = x + o * reduce * inner;
    float* dst = out + o * inner;
    if (inner == 1) {
      // Contiguous row: accumulate in double for sums so long rows keep float32 accuracy.
      if (is_sum) {
        double acc = 0.0;
        for (int64_t r = 0; r < reduce; r++) acc += src[r];
        dst[0] = (float)acc * scale;
      } else {
        float best = reduce > 0 ? src[0] : NAN;
        for (int64_t r = 1; r < reduce; r++) {
          const float v = src[r];
          if (op == ATTEND_REDUCE_MAX ? (v > best || isnan(v)) : (v < best || isnan(v))) best = v;
          if (isnan(best)) break;
        }
        dst[0] = best;
      }
      continue;
    }
    // Strided: walk rows of `inner` contiguous values, combining element-wise.
    if (reduce == 0) {
      for (int64_t i = 0; i < inner; i++) dst[i] = is_sum ? 0.0f : NAN;
      continue;
    }
    memcpy(dst, src, sizeof(float) * inner);
    for (int64_t r = 1; r < reduce; r++) {
      const float* row = src + r * inner;
      if (is_sum) {
        for (int64_t i = 0; i < inner; i++) dst[i] += row[i];
      } else if (op == ATTEND_REDUCE_MAX) {
        for (int64_t i = 0; i < inner; i++) dst[i] = (row[i] > dst[i] || isnan(row[i])) && !isnan(dst[i]) ? row[i] : dst[i];
      } else {
        for (int64_t i = 0; i < inner; i++) dst[i] = (row[i] < dst[i] || isnan(row[i])) && !isnan(dst[i]) ? row[i] : dst[i];
      }
    }
    if (scale != 1.0f) {
      for (int64_t i = 0; i < inner; i++) dst[i] *= scale;
    }
  }
}

#define UNARY_LOOP(EXPR)                                                          \
  _Pragma("omp parallel for schedule(static) if (n >= PARALLEL_MIN)")             \
  for (int64_t i = 0; i < n; i++) {                                               \
    const float v = x[i];                                                         \
    out[i] = (EXPR);                                                              \
  }

void attend_unary(int op, const float* x, float* out, int64_t n, float alpha) {
  switch (op) {
    case ATTEND_RELU: UNARY_LOOP(v > 0.0f ? v : (isnan(v) ? v : 0.0f)) break;
    case ATTEND_STEP: UNARY_LOOP(isnan(v) ? v : (v > 0.0f ? 1.0f : alpha)) break;
    case ATTEND_SQUARE: UNARY_LOOP(v * v) break;
    case ATTEND_EXP: UNARY_LOOP(expf(v)) break;
    case ATTEND_LOG: UNARY_LOOP(logf(v)) break;
    case ATTEND_TANH: UNARY_LOOP(tanhf(v)) break;
    case ATTEND_SIGMOID: UNARY_LOOP(1.0f / (1.0f + expf(-v))) break;
    case ATTEND_SQRT: UNARY_LOOP(sqrtf(v)) break;
    case ATTEND_RSQRT: UNARY_LOOP(1.0f / sqrtf(v)) break;
    case ATTEND_NEG: UNARY_LOOP(-v) break;
    case ATTEND_ABS: UNARY_LOOP(fabsf(v)) break;
    default: break;
  }
}

// Mean and 1/sqrt(variance + epsilon) of one row (two passes: no cancellation).
static void row_moments(const float* x, int64_t dim, float epsilon, float* mean, float* rstd) {
  float sum = 0.0f;
  for (int64_t i = 0; i < dim; i++) sum += x[i];
  const float m = sum / (float)dim;
  float squares = 0.0f;
  for (int64_t i = 0; i < dim; i++) squares += (x[i] - m) * (x[i] - m);
  *mean = m;
  *rstd = 1.0f / sqrtf(squares / (float)dim + epsilon);
}

void attend_layer_norm(const float* x, const float* gain, const float* bias, float* out,
                       int64_t rows, int64_t dim, float epsilon) {
#pragma omp parallel for schedule(static) if (rows * dim >= PARALLEL_MIN && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * dim;
    float* o = out + r * dim;
    float mean, rstd;
    row_moments(in, dim, epsilon, &mean, &rstd);
    for (int64_t i = 0; i < dim; i++) {
      const float normalised = (in[i] - mean) * rstd;
      o[i] = gain ? normalised * gain[i] + bias[i] : normalised;
    }
  }
}

void attend_layer_norm_grad_x(const float* x, const float* gain, const float* dy, float* out,
                              int64_t rows, int64_t dim, float epsilon) {
#pragma omp parallel for schedule(static) if (rows * dim >= PARALLEL_MIN && rows > 1)
  for (int64_t r = 0; r < rows; r++) {
    const float* in = x + r * dim;
    const float* d = dy + r * dim;
    float* o = out + r * dim;
    float mean, rstd;
    row_moments(in, dim, epsilon, &mean, &rstd);
    float g = 0.0f, gx = 0.0f;
    for (int64_t i = 0; i < dim; i++) {
      const float scaled = d[i] * gain[i];
      g += scaled;
      gx += scaled * (in[i] - mean) * rstd;
    }
    const float mean_g = g / (float)dim, mean_gx = gx / (float)dim;
    for (int64_t i = 0; i < dim; i++)
      o[i] = rstd * (d[i] * gain[i] - mean_g - (in[i] - mean) * rstd * mean_gx);
  }
}
