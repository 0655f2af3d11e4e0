// A depthwise convolution over time with 'same' zero padding (the Conformer convolution module,
// src/encoders/conv-module.ts): y[b, t, c] = sum_k x[b, t + k - h, c] * w[k, c], h = (K - 1) / 2,
// for x [B, T, C] and w [K, C], K odd; and its gradients. tfjs's depthwiseConv2d has only the
// pure-JS cpu kernel under the native backend (6x a whole training step of the small preset).
#include <stddef.h>
#include <string.h>

#include "kernels.h"

// One output frame: out[c] += sum over the taps that land inside [0, T) of src[t'] * w[k] with
// t' = t + sign * (k - h): sign +1 is the forward pass (and gives dx from dy with the taps flipped).
static void frame(const float* restrict src, const float* restrict w, float* restrict out,
                  int64_t t, int64_t frames, int64_t channels, int64_t kernel, int sign) {
  const int64_t half = (kernel - 1) / 2;
  memset(out, 0, (size_t)channels * sizeof(float));
  for (int64_t k = 0; k < kernel; k++) {
    const int64_t s = t + sign * (k - half);
    if (s < 0 || s >= frames) continue;
    const float* restrict row = src + s * channels;
    const float* restrict tap = w + k * channels;
#pragma omp simd
    for (int64_t c = 0; c < channels; c++) out[c] += row[c] * tap[c];
  }
}

void attend_depthwise1d(int op, const float* a, const float* b, float* out, int64_t batch,
                        int64_t frames, int64_t channels, int64_t kernel) {
  const int64_t rows = batch * frames;
  if (op == ATTEND_DEPTHWISE_FORWARD || op == ATTEND_DEPTHWISE_GRAD_X) {
    // forward: a = x, b = w; grad x: a = dy, b = w, the taps run the other way.
    const int sign = op == ATTEND_DEPTHWISE_FORWARD ? 1 : -1;
#pragma omp parallel for schedule(static) if (rows * channels * kernel >= PARALLEL_MIN)
    for (int64_t r = 0; r < rows; r++) {
      const int64_t item = r / frames, t = r % frames;
      frame(a + item * frames * channels, b, out + r * channels, t, frames, channels, kernel,
            sign);
    }
    return;
  }
  // grad w: a = x, b = dy; dw[k, c] = sum over b, t of x[b, t + k - h, c] * dy[b, t, c].
  const int64_t half = (kernel - 1) / 2;
#pragma omp parallel for schedule(static) if (rows * channels * kernel >= PARALLEL_MIN)
  for (int64_t k = 0; k < kernel; k++) {
    float* restrict dw = out + k * channels;
    memset(dw, 0, (size_t)channels * sizeof(float));
    for (int64_t item = 0; item < batch; item++) {
      for (int64_t t = 0; t < frames; t++) {
        const int64_t s = t + k - half;
        if (s < 0 || s >= frames) continue;
        const float* restrict x = a + (item * frames + s) * channels;
        const float* restrict dy = b + (item * frames + t) * channels;
#pragma omp simd
        for (int64_t c = 0; c < channels; c++) dw[c] += x[c] * dy[c];
      }
    }
  }
}
