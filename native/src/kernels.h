// Kernels of attend's native CPU backend. All tensors are float32, row-major, channels-last.
#ifndef ATTEND_KERNELS_H
#define ATTEND_KERNELS_H

#include <math.h>
#include <stdint.h>

// Below this many elements a kernel runs on one thread: starting the others costs more than
// they save.
#define PARALLEL_MIN 32768

// out[i] = op(a[aOffsets[i]..]) x op(b[bOffsets[i]..]) for i < batch; op(a) is [M, K], op(b) [K, N].
void attend_batch_matmul(const float* a, const float* b, float* out, const int32_t* a_offsets,
                         const int32_t* b_offsets, int batch, int m, int n, int k, int trans_a,
                         int trans_b);

typedef struct {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int filter_h, filter_w;
  int stride_h, stride_w;
  int dilation_h, dilation_w;
  int pad_top, pad_left;
} ConvDims;

// x [B, inH, inW, inC], filter [fH, fW, inC, outC] -> y [B, outH, outW, outC]
void attend_conv2d(const float* x, const float* filter, float* y, const ConvDims* d);
// dy [B, outH, outW, outC], filter -> dx [B, inH, inW, inC]
void attend_conv2d_backprop_input(const float* dy, const float* filter, float* dx,
                                  const ConvDims* d);
// x, dy -> dfilter [fH, fW, inC, outC]
void attend_conv2d_backprop_filter(const float* x, const float* dy, float* dfilter,
                                   const ConvDims* d);

enum { ATTEND_ADD, ATTEND_SUB, ATTEND_MUL, ATTEND_DIV, ATTEND_MAX, ATTEND_MIN, ATTEND_SQUARED_DIFF };

// out[i] = a[i] op b[i] over `shape` (rank >= 1), reading a and b through their (broadcast) strides.
void attend_binary(int op, const float* a, const float* b, float* out, int rank,
                   const int64_t* shape, const int64_t* a_strides, const int64_t* b_strides);
// out (contiguous, `shape`) = x read from `offset` through `strides`: transpose, slice, gather.
void attend_strided_copy(const float* x, float* out, int rank, const int64_t* shape,
                         const int64_t* strides, int64_t offset);
// Row-wise softmax of x [rows, cols].
void attend_softmax(const float* x, float* out, int64_t rows, int64_t cols);
// Layer normalisation of each row of x [rows, dim], then gain and bias (both NULL: the normalised
// rows alone).
void attend_layer_norm(const float* x, const float* gain, const float* bias, float* out,
                       int64_t rows, int64_t dim, float epsilon);
// Its gradient for x: rstd * (g - mean(g) - x̂ * mean(g * x̂)) per row, g = dy * gain.
void attend_layer_norm_grad_x(const float* x, const float* gain, const float* dy, float* out,
                              int64_t rows, int64_t dim, float epsilon);

typedef struct {
  int64_t rows, cols;        // scores [rows, cols] = [B * H * Q, Tk]
  int64_t heads, queries;    // H, Q
  int64_t mask_batch, mask_queries;  // keep [Bm, Qm, Tk] with Bm in {1, B}, Qm in {1, Q}
} MaskedSoftmaxDims;

// Row-wise softmax(scale * x) over the keys whose keep value is > 0.5 (all when keep is NULL);
// masked keys get 0 and a row with none kept all zeros (src/attention/softmax-fused.ts).
void attend_masked_softmax(const float* x, const float* keep, float* out, const MaskedSoftmaxDims* d,
                           float scale);
typedef struct {
  int64_t batch, heads, keys, depth;  // q [B, H, 1, d], k and v [B, H, Tk, d]
  int64_t mask_batch;                 // keep [Bm, Tk], Bm in {1, B}
} StepAttentionDims;

// Attention of one query position (a decoder step): weights [B, H, 1, Tk] = masked
// softmax(scale * q·kᵀ), context [B, 1, H * d] = weights · v with the heads merged.
void attend_step_attention(const float* q, const float* k, const float* v, const float* keep,
                           float* context, float* weights, const StepAttentionDims* d,
                           float scale);
// Backward of out = softmax(scale * x): scale * w * (dw - sum(w * dw)) per row.
void attend_softmax_grad(const float* w, const float* dw, float* out, int64_t rows, int64_t cols,
                         float scale);
// out[n] = sum over k < width of bank[phase(n) * width + k] * samples[n * down / up - reach + k]
// (samples outside [0, length) count as 0), phase(n) = n * down mod up.
void attend_polyphase(const float* samples, int64_t length, const float* bank, float* out,
                      int64_t out_length, int up, int down, int width, int reach);

// tanh as a rational function of x (odd degree 13 over even degree 6, x clamped to +-7.9053;
// Eigen's fast tanh, TensorFlow's CPU tanh): within 4e-7 of tanh, and vectorised by the compiler
// where libm's tanhf is a call per element.
static inline float attend_fast_tanh(float x) {
  // Comparisons, not fminf/fmaxf (whose NaN rules keep the compiler from vectorising them).
  const float limit = 7.90531110763549805f;
  const float c = x > limit ? limit : (x < -limit ? -limit : x);
  const float x2 = c * c;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 - 8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float r = 1.19825839466702e-06f;
  r = r * x2 + 1.18534705686654e-04f;
  r = r * x2 + 2.26843463243900e-03f;
  r = r * x2 + 4.89352518554385e-03f;
  return fabsf(x) < 0.0004f ? x : c * p / r;  // a select, not a branch: the loops vectorise
}

// Additive attention of one query per item (q [B, A] projected, k [B, Tk, A] projected, v [A],
// keep [B, Tk] or NULL): weights [B, Tk]; the keys' gradient [B, Tk, A] and v's [A] from the
// scores' gradient ds [B, Tk] (the softmax's backward already applied).
void attend_additive_weights(const float* q, const float* k, const float* v, const float* keep,
                             float* out, int64_t batch, int64_t keys, int64_t units);
void attend_additive_key_grad(const float* q, const float* k, const float* v, const float* ds,
                              float* out, int64_t batch, int64_t keys, int64_t units);
void attend_additive_v_grad(const float* q, const float* k, const float* ds, float* out,
                            int64_t batch, int64_t keys, int64_t units);

enum {
  ATTEND_LSTM_CELL, ATTEND_LSTM_OUTPUT, ATTEND_LSTM_CELL_GRAD_Z, ATTEND_LSTM_CELL_GRAD_PREV,
  ATTEND_LSTM_OUTPUT_GRAD_Z, ATTEND_LSTM_OUTPUT_GRAD_C
};
// The LSTM cell's pointwise part (src/nn/lstm-cell.ts) for z [B, 4H]: op CELL c [B, H] from
// other = c_prev; OUTPUT h from other = c; CELL_GRAD_Z dz [B, 4H] and CELL_GRAD_PREV dc_prev from
// dy = dc (other = c_prev); OUTPUT_GRAD_Z dz and OUTPUT_GRAD_C dc from dy = dh (other = c).
void attend_lstm(int op, const float* z, const float* other, const float* dy, float* out,
                 int64_t batch, int64_t units);
// Whether an LSTM op writes all four gates ([B, 4H], the dz ops) rather than one cell row.
static inline int attend_lstm_writes_gates(int op) {
  return op == ATTEND_LSTM_CELL_GRAD_Z || op == ATTEND_LSTM_OUTPUT_GRAD_Z;
}

enum { ATTEND_DEPTHWISE_FORWARD, ATTEND_DEPTHWISE_GRAD_X, ATTEND_DEPTHWISE_GRAD_W };
// Depthwise convolution over time, 'same' padding, K odd (native/src/depthwise.c): FORWARD
// y [B, T, C] from a = x, b = w [K, C]; GRAD_X dx [B, T, C] from a = dy, b = w; GRAD_W dw [K, C]
// from a = x, b = dy.
void attend_depthwise1d(int op, const float* a, const float* b, float* out, int64_t batch,
                        int64_t frames, int64_t channels, int64_t kernel);

enum { ATTEND_REDUCE_SUM, ATTEND_REDUCE_MEAN, ATTEND_REDUCE_MAX, ATTEND_REDUCE_MIN };
// out[o, i] = reduce over r of x[o, r, i] (NaN propagates through max/min).
void attend_reduce(int op, const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner);

enum {
  ATTEND_RELU, ATTEND_STEP, ATTEND_SQUARE, ATTEND_EXP, ATTEND_LOG, ATTEND_TANH,
  ATTEND_SIGMOID, ATTEND_SQRT, ATTEND_RSQRT, ATTEND_NEG, ATTEND_ABS
};
// out[i] = op(x[i]); alpha is Step's value for x <= 0.
void attend_unary(int op, const float* x, float* out, int64_t n, float alpha);

#endif
