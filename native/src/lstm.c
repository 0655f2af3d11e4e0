// The LSTM cell's pointwise part and its gradients (src/nn/lstm-cell.ts has the contract): from
// the gate pre-activations z = [i | f | g | o] ([B, 4H], the forget gate's +1 added here),
//   c = sigmoid(f + 1) * c_prev + sigmoid(i) * tanh(g),   h = sigmoid(o) * tanh(c).
// As tfjs ops that was ~12 kernels forward and ~25 backward per decoded token.
#include <stddef.h>

#include "kernels.h"

static inline float sigmoid(float x) { return 0.5f + 0.5f * attend_fast_tanh(0.5f * x); }

// One item's row: z points at its 4H gates, the others at its H cells.
static void lstm_row(int op, const float* restrict z, const float* restrict other,
                     const float* restrict dy, float* restrict out, int64_t units) {
  const float* zi = z;
  const float* zf = z + units;
  const float* zg = z + 2 * units;
  const float* zo = z + 3 * units;
  switch (op) {
    case ATTEND_LSTM_CELL:  // other = c_prev; out = c [H]
#pragma omp simd
      for (int64_t e = 0; e < units; e++)
        out[e] = sigmoid(zf[e] + 1.0f) * other[e] + sigmoid(zi[e]) * attend_fast_tanh(zg[e]);
      break;
    case ATTEND_LSTM_OUTPUT:  // other = c; out = h [H]
#pragma omp simd
      for (int64_t e = 0; e < units; e++) out[e] = sigmoid(zo[e]) * attend_fast_tanh(other[e]);
      break;
    case ATTEND_LSTM_CELL_GRAD_Z:  // other = c_prev, dy = dc; out = dz [4H] (o's part 0)
#pragma omp simd
      for (int64_t e = 0; e < units; e++) {
        const float si = sigmoid(zi[e]), sf = sigmoid(zf[e] + 1.0f), tg = attend_fast_tanh(zg[e]);
        const float d = dy[e];
        out[e] = d * tg * si * (1.0f - si);
        out[units + e] = d * other[e] * sf * (1.0f - sf);
        out[2 * units + e] = d * si * (1.0f - tg * tg);
        out[3 * units + e] = 0.0f;
      }
      break;
    case ATTEND_LSTM_CELL_GRAD_PREV:  // dy = dc; out = dc_prev [H]
#pragma omp simd
      for (int64_t e = 0; e < units; e++) out[e] = dy[e] * sigmoid(zf[e] + 1.0f);
      break;
    case ATTEND_LSTM_OUTPUT_GRAD_Z:  // other = c, dy = dh; out = dz [4H] (only o's part)
#pragma omp simd
      for (int64_t e = 0; e < units; e++) {
        const float so = sigmoid(zo[e]);
        out[e] = 0.0f;
        out[units + e] = 0.0f;
        out[2 * units + e] = 0.0f;
        out[3 * units + e] = dy[e] * attend_fast_tanh(other[e]) * so * (1.0f - so);
      }
      break;
    case ATTEND_LSTM_OUTPUT_GRAD_C:  // other = c, dy = dh; out = dc [H]
#pragma omp simd
      for (int64_t e = 0; e < units; e++) {
        const float tc = attend_fast_tanh(other[e]);
        out[e] = dy[e] * sigmoid(zo[e]) * (1.0f - tc * tc);
      }
      break;
    default:
      break;
  }
}

void attend_lstm(int op, const float* z, const float* other, const float* dy, float* out,
                 int64_t batch, int64_t units) {
  const int64_t out_width = attend_lstm_writes_gates(op) ? 4 * units : units;
#pragma omp parallel for schedule(static) if (batch * 4 * units >= PARALLEL_MIN && batch > 1)
  for (int64_t b = 0; b < batch; b++) {
    lstm_row(op, z + b * 4 * units, other ? other + b * units : NULL, dy ? dy + b * units : NULL,
             out + b * out_width, units);
  }
}
