// Polyphase FIR resampling (src/audio/polyphase.ts designs the bank and has the same loop in JS).
#include "kernels.h"

void attend_polyphase(const float* samples, int64_t length, const float* bank, float* out,
                      int64_t out_length, int up, int down, int width, int reach) {
  for (int64_t n = 0; n < out_length; n++) {
    const int64_t position = n * down;
    const int64_t base = position / up;
    const float* taps = bank + (position - base * up) * width;
    // Input samples start + k for k < width, skipping those outside the signal.
    const int64_t start = base - reach;
    const int64_t first = start < 0 ? -start : 0;
    const int64_t end = length - start < width ? length - start : width;
    float acc = 0.0f;
    // A float sum is vectorised only when told its order may change.
#pragma omp simd reduction(+ : acc)
    for (int64_t k = first; k < end; k++) acc += taps[k] * samples[start + k];
    out[n] = acc;
  }
}
