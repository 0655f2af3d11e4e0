// Additive (Bahdanau) attention of one query per item, fused (src/attention/additive-fused.ts has
// the contract): weights = masked softmax over t of sum_a v[a] * tanh(q[b, a] + k[b, t, a]), and
// the two gradients its backward needs. As tfjs ops these were a broadcast add, a tanh over
// [B, Tk, A], a matMul and the softmax, and twice as many kernels backward, once per decoded
// token: a caption training step spent a fifth of its time there.
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

// The rows' inner loops, apart so that restrict tells the compiler nothing aliases: vectorised.
static float score_row(const float* restrict q, const float* restrict k, const float* restrict v,
                       int64_t units) {
  float s = 0.0f;
#pragma omp simd reduction(+ : s)
  for (int64_t a = 0; a < units; a++) s += v[a] * attend_fast_tanh(q[a] + k[a]);
  return s;
}

static void key_grad_row(const float* restrict q, const float* restrict k,
                         const float* restrict v, float d, float* restrict out, int64_t units) {
#pragma omp simd
  for (int64_t a = 0; a < units; a++) {
    const float e = attend_fast_tanh(q[a] + k[a]);
    out[a] = d * v[a] * (1.0f - e * e);
  }
}

static void v_grad_row(const float* restrict q, const float* restrict k, float d,
                       float* restrict sum, int64_t units) {
#pragma omp simd
  for (int64_t a = 0; a < units; a++) sum[a] += d * attend_fast_tanh(q[a] + k[a]);
}

void attend_additive_weights(const float* q, const float* k, const float* v, const float* keep,
                             float* out, int64_t batch, int64_t keys, int64_t units) {
#pragma omp parallel for schedule(static) if (batch * keys * units >= PARALLEL_MIN && batch > 1)
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t t = 0; t < keys; t++)
      out[b * keys + t] = score_row(q + b * units, k + (b * keys + t) * units, v, units);
  }
  const MaskedSoftmaxDims d = {batch, keys, 1, 1, keep ? batch : 1, 1};
  attend_masked_softmax(out, keep, out, &d, 1.0f);
}

void attend_additive_key_grad(const float* q, const float* k, const float* v, const float* ds,
                              float* out, int64_t batch, int64_t keys, int64_t units) {
#pragma omp parallel for schedule(static) if (batch * keys * units >= PARALLEL_MIN && batch > 1)
  for (int64_t b = 0; b < batch; b++) {
    for (int64_t t = 0; t < keys; t++) {
      const int64_t bt = b * keys + t;
      key_grad_row(q + b * units, k + bt * units, v, ds[bt], out + bt * units, units);
    }
  }
}

void attend_additive_v_grad(const float* q, const float* k, const float* ds, float* out,
                            int64_t batch, int64_t keys, int64_t units) {
  memset(out, 0, sizeof(float) * units);
#pragma omp parallel if (batch * keys * units >= PARALLEL_MIN && batch > 1)
  {
    // Each thread sums its items into its own row, then adds the row to out once.
    float* part = calloc((size_t)units, sizeof(float));
#pragma omp for schedule(static)
    for (int64_t b = 0; b < batch; b++) {
      for (int64_t t = 0; t < keys; t++) {
        const int64_t bt = b * keys + t;
        v_grad_row(q + b * units, k + bt * units, ds[bt], part, units);
      }
    }
#pragma omp critical
    for (int64_t a = 0; a < units; a++) out[a] += part[a];
    free(part);
  }
}
