// N-API glue: each export takes Float32Arrays (views of tfjs cpu tensor data, so nothing is copied)
// and plain numbers, checks them, and calls a kernel from kernels.h.
#include <cblas.h>
#include <node_api.h>
#include <stdio.h>

#include "kernels.h"

#define CHECK(env, call)                                              \
  do {                                                                \
    if ((call) != napi_ok) {                                          \
      napi_throw_error((env), NULL, "attend_native: " #call " failed"); \
      return NULL;                                                    \
    }                                                                 \
  } while (0)

static int get_floats(napi_env env, napi_value value, float** data, size_t* length) {
  napi_typedarray_type type;
  void* raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok ||
      type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "attend_native: expected a Float32Array");
    return 0;
  }
  *data = (float*)raw;
  return 1;
}

// A Float32Array or null (an optional input): *data stays NULL and *length 0 for null.
static int get_optional_floats(napi_env env, napi_value value, float** data, size_t* length) {
  napi_valuetype type;
  if (napi_typeof(env, value, &type) != napi_ok) {
    napi_throw_error(env, NULL, "attend_native: napi_typeof failed");
    return 0;
  }
  return type == napi_null || get_floats(env, value, data, length);
}

static int get_ints(napi_env env, napi_value value, int32_t** data, size_t* length) {
  napi_typedarray_type type;
  void* raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok ||
      type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "attend_native: expected an Int32Array");
    return 0;
  }
  *data = (int32_t*)raw;
  return 1;
}

static int get_int(napi_env env, napi_value value, int* out) {
  if (napi_get_value_int32(env, value, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "attend_native: expected an integer");
    return 0;
  }
  return 1;
}

static int get_float_arg(napi_env env, napi_value value, float* out) {
  double v;
  if (napi_get_value_double(env, value, &v) != napi_ok) {
    napi_throw_type_error(env, NULL, "attend_native: expected a number");
    return 0;
  }
  *out = (float)v;
  return 1;
}

static int too_small(napi_env env, size_t have, int64_t need, const char* what) {
  if ((int64_t)have < need) {
    char message[160];
    snprintf(message, sizeof message, "attend_native: %s has %zu floats, needs %lld", what, have,
             (long long)need);
    napi_throw_range_error(env, NULL, message);
    return 1;
  }
  return 0;
}

// batchMatMul(a, b, out, aOffsets, bOffsets, m, n, k, transA, transB)
static napi_value batch_matmul(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *a, *b, *out;
  int32_t *a_off, *b_off;
  size_t a_len, b_len, out_len, batch, b_batch;
  int m, n, k, ta, tb;
  if (!get_floats(env, argv[0], &a, &a_len) || !get_floats(env, argv[1], &b, &b_len) ||
      !get_floats(env, argv[2], &out, &out_len) || !get_ints(env, argv[3], &a_off, &batch) ||
      !get_ints(env, argv[4], &b_off, &b_batch) || !get_int(env, argv[5], &m) ||
      !get_int(env, argv[6], &n) || !get_int(env, argv[7], &k) || !get_int(env, argv[8], &ta) ||
      !get_int(env, argv[9], &tb)) {
    return NULL;
  }
  if (b_batch != batch) {
    napi_throw_range_error(env, NULL, "attend_native: offset arrays differ in length");
    return NULL;
  }
  if (too_small(env, out_len, (int64_t)batch * m * n, "out")) return NULL;
  for (size_t i = 0; i < batch; i++) {
    if (a_off[i] < 0 || b_off[i] < 0) {
      napi_throw_range_error(env, NULL, "attend_native: negative offset");
      return NULL;
    }
    if (too_small(env, a_len, (int64_t)a_off[i] + (int64_t)m * k, "a") ||
        too_small(env, b_len, (int64_t)b_off[i] + (int64_t)k * n, "b")) {
      return NULL;
    }
  }
  attend_batch_matmul(a, b, out, a_off, b_off, (int)batch, m, n, k, ta, tb);
  return NULL;
}

// Reads [batch, inH, inW, inC, outH, outW, outC, fH, fW, sH, sW, dH, dW, padTop, padLeft].
static int get_dims(napi_env env, napi_value value, ConvDims* d) {
  int32_t* v;
  size_t len;
  if (!get_ints(env, value, &v, &len)) return 0;
  if (len != 15) {
    napi_throw_range_error(env, NULL, "attend_native: conv dims must have 15 entries");
    return 0;
  }
  *d = (ConvDims){v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                  v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  for (size_t i = 0; i < 13; i++) {
    if (v[i] <= 0) {
      napi_throw_range_error(env, NULL, "attend_native: conv dims must be positive");
      return 0;
    }
  }
  return 1;
}

typedef void (*ConvKernel)(const float*, const float*, float*, const ConvDims*);

// Shared by the three conv entry points: (first, second, out, dims) with sizes checked.
static napi_value conv_call(napi_env env, napi_callback_info info, ConvKernel kernel,
                            int first_is, int second_is, int out_is) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *p0, *p1, *p2;
  size_t l0, l1, l2;
  ConvDims d;
  if (!get_floats(env, argv[0], &p0, &l0) || !get_floats(env, argv[1], &p1, &l1) ||
      !get_floats(env, argv[2], &p2, &l2) || !get_dims(env, argv[3], &d)) {
    return NULL;
  }
  // Sizes of the three roles a tensor can play: 0 input image, 1 filter, 2 output image.
  const int64_t sizes[3] = {
      (int64_t)d.batch * d.in_h * d.in_w * d.in_c,
      (int64_t)d.filter_h * d.filter_w * d.in_c * d.out_c,
      (int64_t)d.batch * d.out_h * d.out_w * d.out_c,
  };
  if (too_small(env, l0, sizes[first_is], "first argument") ||
      too_small(env, l1, sizes[second_is], "second argument") ||
      too_small(env, l2, sizes[out_is], "output")) {
    return NULL;
  }
  kernel(p0, p1, p2, &d);
  return NULL;
}

static napi_value conv2d(napi_env env, napi_callback_info info) {
  return conv_call(env, info, attend_conv2d, 0, 1, 2);
}
static napi_value conv2d_backprop_input(napi_env env, napi_callback_info info) {
  return conv_call(env, info, attend_conv2d_backprop_input, 2, 1, 0);
}
static napi_value conv2d_backprop_filter(napi_env env, napi_callback_info info) {
  return conv_call(env, info, attend_conv2d_backprop_filter, 0, 2, 1);
}

#define MAX_RANK 8

// Reads a shape and one or two stride arrays (Int32Array) of equal rank into int64 arrays.
static int get_layout(napi_env env, napi_value shape_value, int64_t* shape, int* rank,
                      napi_value* stride_values, int64_t (*strides)[MAX_RANK], int count) {
  int32_t* raw;
  size_t len;
  if (!get_ints(env, shape_value, &raw, &len)) return 0;
  if (len < 1 || len > MAX_RANK) {
    napi_throw_range_error(env, NULL, "attend_native: rank must be 1..8");
    return 0;
  }
  *rank = (int)len;
  for (size_t d = 0; d < len; d++) shape[d] = raw[d];
  for (int i = 0; i < count; i++) {
    size_t stride_len;
    if (!get_ints(env, stride_values[i], &raw, &stride_len)) return 0;
    if (stride_len != len) {
      napi_throw_range_error(env, NULL, "attend_native: strides and shape differ in rank");
      return 0;
    }
    for (size_t d = 0; d < len; d++) strides[i][d] = raw[d];
  }
  return 1;
}

// The last element index (plus one) that a strided read of `shape` touches.
static int64_t extent(const int64_t* shape, const int64_t* strides, int rank, int64_t offset) {
  int64_t last = offset;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return 0;
    last += (shape[d] - 1) * strides[d];
  }
  return last + 1;
}

static int64_t volume(const int64_t* shape, int rank) {
  int64_t n = 1;
  for (int d = 0; d < rank; d++) n *= shape[d];
  return n;
}

// binary(op, a, b, out, shape, aStrides, bStrides)
static napi_value binary(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op, rank;
  float *a, *b, *out;
  size_t a_len, b_len, out_len;
  int64_t shape[MAX_RANK], strides[2][MAX_RANK];
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &a, &a_len) ||
      !get_floats(env, argv[2], &b, &b_len) || !get_floats(env, argv[3], &out, &out_len) ||
      !get_layout(env, argv[4], shape, &rank, argv + 5, strides, 2)) {
    return NULL;
  }
  if (op < ATTEND_ADD || op > ATTEND_SQUARED_DIFF) {
    napi_throw_range_error(env, NULL, "attend_native: unknown binary op");
    return NULL;
  }
  const int64_t n = volume(shape, rank);
  if (too_small(env, out_len, n, "out") ||
      too_small(env, a_len, extent(shape, strides[0], rank, 0), "a") ||
      too_small(env, b_len, extent(shape, strides[1], rank, 0), "b")) {
    return NULL;
  }
  if (n > 0) attend_binary(op, a, b, out, rank, shape, strides[0], strides[1]);
  return NULL;
}

// stridedCopy(x, out, shape, strides, offset)
static napi_value strided_copy(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t x_len, out_len;
  int rank, offset;
  int64_t shape[MAX_RANK], strides[1][MAX_RANK];
  if (!get_floats(env, argv[0], &x, &x_len) || !get_floats(env, argv[1], &out, &out_len) ||
      !get_layout(env, argv[2], shape, &rank, argv + 3, strides, 1) ||
      !get_int(env, argv[4], &offset)) {
    return NULL;
  }
  const int64_t n = volume(shape, rank);
  if (offset < 0 || too_small(env, out_len, n, "out") ||
      too_small(env, x_len, extent(shape, strides[0], rank, offset), "x")) {
    if (offset < 0) napi_throw_range_error(env, NULL, "attend_native: negative offset");
    return NULL;
  }
  if (n > 0) attend_strided_copy(x, out, rank, shape, strides[0], offset);
  return NULL;
}

// softmax(x, out, rows, cols)
static napi_value softmax(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t x_len, out_len;
  int rows, cols;
  if (!get_floats(env, argv[0], &x, &x_len) || !get_floats(env, argv[1], &out, &out_len) ||
      !get_int(env, argv[2], &rows) || !get_int(env, argv[3], &cols)) {
    return NULL;
  }
  if (rows < 0 || cols < 0 || too_small(env, x_len, (int64_t)rows * cols, "x") ||
      too_small(env, out_len, (int64_t)rows * cols, "out")) {
    if (rows < 0 || cols < 0) napi_throw_range_error(env, NULL, "attend_native: negative size");
    return NULL;
  }
  attend_softmax(x, out, rows, cols);
  return NULL;
}

// maskedSoftmax(x, keep | null, out, dims [rows, cols, heads, queries, maskBatch, maskQueries], scale)
static napi_value masked_softmax(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *keep = NULL, *out;
  int32_t* dims;
  size_t x_len, keep_len = 0, out_len, dims_len;
  float scale;
  if (!get_floats(env, argv[0], &x, &x_len) ||
      !get_optional_floats(env, argv[1], &keep, &keep_len) ||
      !get_floats(env, argv[2], &out, &out_len) || !get_ints(env, argv[3], &dims, &dims_len) ||
      !get_float_arg(env, argv[4], &scale)) {
    return NULL;
  }
  if (dims_len != 6 || dims[0] < 0 || dims[1] < 0 || dims[2] < 1 || dims[3] < 1 || dims[4] < 1 ||
      dims[5] < 1 || !(scale > 0.0f)) {
    napi_throw_range_error(env, NULL, "attend_native: bad maskedSoftmax arguments");
    return NULL;
  }
  const MaskedSoftmaxDims d = {dims[0], dims[1], dims[2], dims[3], dims[4], dims[5]};
  const int64_t size = d.rows * d.cols;
  if (too_small(env, x_len, size, "x") || too_small(env, out_len, size, "out") ||
      (keep && too_small(env, keep_len, d.mask_batch * d.mask_queries * d.cols, "keep"))) {
    return NULL;
  }
  if (keep && d.mask_batch > 1 && d.mask_batch * d.heads * d.queries != d.rows) {
    napi_throw_range_error(env, NULL, "attend_native: mask batch does not match the scores");
    return NULL;
  }
  attend_masked_softmax(x, keep, out, &d, scale);
  return NULL;
}

// stepAttention(q, k, v, keep | null, context, weights, dims [B, H, Tk, d, maskBatch], scale)
static napi_value step_attention(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *q, *k, *v, *keep = NULL, *context, *weights, scale;
  size_t q_len, k_len, v_len, keep_len = 0, context_len, weights_len, dims_len;
  int32_t* dims;
  if (!get_floats(env, argv[0], &q, &q_len) || !get_floats(env, argv[1], &k, &k_len) ||
      !get_floats(env, argv[2], &v, &v_len) ||
      !get_optional_floats(env, argv[3], &keep, &keep_len) ||
      !get_floats(env, argv[4], &context, &context_len) ||
      !get_floats(env, argv[5], &weights, &weights_len) ||
      !get_ints(env, argv[6], &dims, &dims_len) || !get_float_arg(env, argv[7], &scale)) {
    return NULL;
  }
  if (dims_len != 5 || dims[0] < 0 || dims[1] < 1 || dims[2] < 0 || dims[3] < 1 ||
      (dims[4] != 1 && dims[4] != dims[0]) || !(scale > 0.0f)) {
    napi_throw_range_error(env, NULL, "attend_native: bad stepAttention arguments");
    return NULL;
  }
  const StepAttentionDims d = {dims[0], dims[1], dims[2], dims[3], dims[4]};
  const int64_t rows = d.batch * d.heads;
  if (too_small(env, q_len, rows * d.depth, "q") ||
      too_small(env, k_len, rows * d.keys * d.depth, "k") ||
      too_small(env, v_len, rows * d.keys * d.depth, "v") ||
      (keep && too_small(env, keep_len, d.mask_batch * d.keys, "keep")) ||
      too_small(env, context_len, rows * d.depth, "context") ||
      too_small(env, weights_len, rows * d.keys, "weights")) {
    return NULL;
  }
  attend_step_attention(q, k, v, keep, context, weights, &d, scale);
  return NULL;
}

// additive(op, q, k, v | null, keep | null, ds | null, out, dims [B, Tk, A]): op 0 weights
// [B, Tk] (q, k, v, keep), 1 the keys' gradient [B, Tk, A] (q, k, v, ds), 2 v's gradient [A] (q, k, ds).
static napi_value additive(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op;
  float *q, *k, *v = NULL, *keep = NULL, *ds = NULL, *out;
  size_t q_len, k_len, v_len = 0, keep_len = 0, ds_len = 0, out_len, dims_len;
  int32_t* dims;
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &q, &q_len) ||
      !get_floats(env, argv[2], &k, &k_len) ||
      !get_optional_floats(env, argv[3], &v, &v_len) ||
      !get_optional_floats(env, argv[4], &keep, &keep_len) ||
      !get_optional_floats(env, argv[5], &ds, &ds_len) ||
      !get_floats(env, argv[6], &out, &out_len) || !get_ints(env, argv[7], &dims, &dims_len)) {
    return NULL;
  }
  if (dims_len != 3 || dims[0] < 0 || dims[1] < 0 || dims[2] < 0 || op < 0 || op > 2 ||
      (op != 2 && !v) || (op != 0 && !ds)) {
    napi_throw_range_error(env, NULL, "attend_native: bad additive arguments");
    return NULL;
  }
  const int64_t batch = dims[0], keys = dims[1], units = dims[2];
  const int64_t out_size = op == 0 ? batch * keys : op == 1 ? batch * keys * units : units;
  if (too_small(env, q_len, batch * units, "q") ||
      too_small(env, k_len, batch * keys * units, "k") ||
      (v && too_small(env, v_len, units, "v")) ||
      (keep && too_small(env, keep_len, batch * keys, "keep")) ||
      (ds && too_small(env, ds_len, batch * keys, "ds")) ||
      too_small(env, out_len, out_size, "out")) {
    return NULL;
  }
  if (op == 0) attend_additive_weights(q, k, v, keep, out, batch, keys, units);
  else if (op == 1) attend_additive_key_grad(q, k, v, ds, out, batch, keys, units);
  else attend_additive_v_grad(q, k, ds, out, batch, keys, units);
  return NULL;
}

// lstm(op, z, other | null, dy | null, out, batch, units): the LSTM cell's pointwise ops
// (native/src/kernels.h); z [B, 4H], other and dy [B, H], out [B, H] or [B, 4H] (the dz ops).
static napi_value lstm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op, batch, units;
  float *z, *other = NULL, *dy = NULL, *out;
  size_t z_len, other_len = 0, dy_len = 0, out_len;
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &z, &z_len) ||
      !get_optional_floats(env, argv[2], &other, &other_len) ||
      !get_optional_floats(env, argv[3], &dy, &dy_len) ||
      !get_floats(env, argv[4], &out, &out_len) || !get_int(env, argv[5], &batch) ||
      !get_int(env, argv[6], &units)) {
    return NULL;
  }
  const int needs_other = op != ATTEND_LSTM_CELL_GRAD_PREV;
  const int needs_dy = op >= ATTEND_LSTM_CELL_GRAD_Z;
  if (op < ATTEND_LSTM_CELL || op > ATTEND_LSTM_OUTPUT_GRAD_C || batch < 0 || units < 0 ||
      (needs_other && !other) || (needs_dy && !dy)) {
    napi_throw_range_error(env, NULL, "attend_native: bad lstm arguments");
    return NULL;
  }
  const int64_t cells = (int64_t)batch * units;
  if (too_small(env, z_len, 4 * cells, "z") || (other && too_small(env, other_len, cells, "other")) ||
      (dy && too_small(env, dy_len, cells, "dy")) ||
      too_small(env, out_len, attend_lstm_writes_gates(op) ? 4 * cells : cells, "out")) {
    return NULL;
  }
  attend_lstm(op, z, other, dy, out, batch, units);
  return NULL;
}

// depthwise(op, a, b, out, batch, frames, channels, kernel): the depthwise convolution over time
// and its gradients (native/src/kernels.h says which of a and b is which).
static napi_value depthwise(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op, batch, frames, channels, kernel;
  float *a, *b, *out;
  size_t a_len, b_len, out_len;
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &a, &a_len) ||
      !get_floats(env, argv[2], &b, &b_len) || !get_floats(env, argv[3], &out, &out_len) ||
      !get_int(env, argv[4], &batch) || !get_int(env, argv[5], &frames) ||
      !get_int(env, argv[6], &channels) || !get_int(env, argv[7], &kernel)) {
    return NULL;
  }
  if (op < ATTEND_DEPTHWISE_FORWARD || op > ATTEND_DEPTHWISE_GRAD_W || batch < 0 || frames < 0 ||
      channels < 0 || kernel < 1 || kernel % 2 == 0) {
    napi_throw_range_error(env, NULL, "attend_native: bad depthwise arguments");
    return NULL;
  }
  const int64_t seq = (int64_t)batch * frames * channels, taps = (int64_t)kernel * channels;
  const int64_t b_size = op == ATTEND_DEPTHWISE_GRAD_W ? seq : taps;
  const int64_t out_size = op == ATTEND_DEPTHWISE_GRAD_W ? taps : seq;
  if (too_small(env, a_len, seq, "a") || too_small(env, b_len, b_size, "b") ||
      too_small(env, out_len, out_size, "out")) {
    return NULL;
  }
  attend_depthwise1d(op, a, b, out, batch, frames, channels, kernel);
  return NULL;
}

// softmaxGrad(w, dw, out, rows, cols, scale)
static napi_value softmax_grad(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *w, *dw, *out, scale;
  size_t w_len, dw_len, out_len;
  int rows, cols;
  if (!get_floats(env, argv[0], &w, &w_len) || !get_floats(env, argv[1], &dw, &dw_len) ||
      !get_floats(env, argv[2], &out, &out_len) || !get_int(env, argv[3], &rows) ||
      !get_int(env, argv[4], &cols) || !get_float_arg(env, argv[5], &scale)) {
    return NULL;
  }
  if (rows < 0 || cols < 0) {
    napi_throw_range_error(env, NULL, "attend_native: negative size");
    return NULL;
  }
  const int64_t size = (int64_t)rows * cols;
  if (too_small(env, w_len, size, "w") || too_small(env, dw_len, size, "dw") ||
      too_small(env, out_len, size, "out")) {
    return NULL;
  }
  attend_softmax_grad(w, dw, out, rows, cols, scale);
  return NULL;
}

// layerNorm(op, x, gain | null, bias | null, dy | null, out, dim, epsilon): op 0 forward (gain
// and bias, or neither: the normalised rows), 1 the gradient for x (gain and dy).
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op, dim;
  float epsilon;
  float *x, *out, *vectors[3] = {NULL, NULL, NULL};  // gain, bias, dy
  size_t x_len, out_len, lengths[3] = {0, 0, 0};
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &x, &x_len) ||
      !get_floats(env, argv[5], &out, &out_len) || !get_int(env, argv[6], &dim) ||
      !get_float_arg(env, argv[7], &epsilon)) {
    return NULL;
  }
  for (int i = 0; i < 3; i++)
    if (!get_optional_floats(env, argv[2 + i], &vectors[i], &lengths[i])) return NULL;
  float *gain = vectors[0], *bias = vectors[1], *dy = vectors[2];
  const int forward_ok = op == 0 && (gain == NULL) == (bias == NULL);
  const int grad_ok = op == 1 && gain != NULL && dy != NULL;
  if (dim < 1 || x_len % (size_t)dim != 0 || !(forward_ok || grad_ok)) {
    napi_throw_range_error(env, NULL, "attend_native: bad layerNorm arguments");
    return NULL;
  }
  const int64_t rows = (int64_t)x_len / dim;
  if (too_small(env, out_len, (int64_t)x_len, "out") ||
      (gain && too_small(env, lengths[0], dim, "gain")) ||
      (bias && too_small(env, lengths[1], dim, "bias")) ||
      (dy && too_small(env, lengths[2], (int64_t)x_len, "dy"))) {
    return NULL;
  }
  if (op == 0) {
    attend_layer_norm(x, gain, bias, out, rows, dim, epsilon);
  } else {
    attend_layer_norm_grad_x(x, gain, dy, out, rows, dim, epsilon);
  }
  return NULL;
}

// polyphase(samples, bank, out, up, down, width, reach)
static napi_value polyphase(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *samples, *bank, *out;
  size_t samples_len, bank_len, out_len;
  int up, down, width, reach;
  if (!get_floats(env, argv[0], &samples, &samples_len) ||
      !get_floats(env, argv[1], &bank, &bank_len) || !get_floats(env, argv[2], &out, &out_len) ||
      !get_int(env, argv[3], &up) || !get_int(env, argv[4], &down) ||
      !get_int(env, argv[5], &width) || !get_int(env, argv[6], &reach)) {
    return NULL;
  }
  if (up < 1 || down < 1 || width < 1 || reach < 0) {
    napi_throw_range_error(env, NULL, "attend_native: bad polyphase arguments");
    return NULL;
  }
  if (too_small(env, bank_len, (int64_t)up * width, "bank")) return NULL;
  attend_polyphase(samples, (int64_t)samples_len, bank, out, (int64_t)out_len, up, down, width,
                   reach);
  return NULL;
}

// reduce(op, x, out, outer, reduce, inner)
static napi_value reduce(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op, outer, count, inner;
  float *x, *out;
  size_t x_len, out_len;
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &x, &x_len) ||
      !get_floats(env, argv[2], &out, &out_len) || !get_int(env, argv[3], &outer) ||
      !get_int(env, argv[4], &count) || !get_int(env, argv[5], &inner)) {
    return NULL;
  }
  if (op < ATTEND_REDUCE_SUM || op > ATTEND_REDUCE_MIN || outer < 0 || count < 0 || inner < 0) {
    napi_throw_range_error(env, NULL, "attend_native: bad reduce arguments");
    return NULL;
  }
  if (too_small(env, x_len, (int64_t)outer * count * inner, "x") ||
      too_small(env, out_len, (int64_t)outer * inner, "out")) {
    return NULL;
  }
  attend_reduce(op, x, out, outer, count, inner);
  return NULL;
}

// unary(op, x, out, alpha)
static napi_value unary(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int op;
  float alpha;
  float *x, *out;
  size_t x_len, out_len;
  if (!get_int(env, argv[0], &op) || !get_floats(env, argv[1], &x, &x_len) ||
      !get_floats(env, argv[2], &out, &out_len) || !get_float_arg(env, argv[3], &alpha)) {
    return NULL;
  }
  if (op < ATTEND_RELU || op > ATTEND_ABS) {
    napi_throw_range_error(env, NULL, "attend_native: unknown unary op");
    return NULL;
  }
  if (too_small(env, out_len, (int64_t)x_len, "out")) return NULL;
  attend_unary(op, x, out, (int64_t)x_len, alpha);
  return NULL;
}

static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CHECK(env, napi_create_int32(env, openblas_get_num_threads(), &result));
  return result;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int n;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (!get_int(env, argv[0], &n)) return NULL;
  openblas_set_num_threads(n);
  return NULL;
}

static napi_value blas_config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CHECK(env, napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &result));
  return result;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"batchMatMul", NULL, batch_matmul, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, conv2d, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropInput", NULL, conv2d_backprop_input, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dBackpropFilter", NULL, conv2d_backprop_filter, NULL, NULL, NULL, napi_default, NULL},
      {"binary", NULL, binary, NULL, NULL, NULL, napi_default, NULL},
      {"stridedCopy", NULL, strided_copy, NULL, NULL, NULL, napi_default, NULL},
      {"softmax", NULL, softmax, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmax", NULL, masked_softmax, NULL, NULL, NULL, napi_default, NULL},
      {"stepAttention", NULL, step_attention, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxGrad", NULL, softmax_grad, NULL, NULL, NULL, napi_default, NULL},
      {"additive", NULL, additive, NULL, NULL, NULL, napi_default, NULL},
      {"lstm", NULL, lstm, NULL, NULL, NULL, napi_default, NULL},
      {"depthwise", NULL, depthwise, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"polyphase", NULL, polyphase, NULL, NULL, NULL, napi_default, NULL},
      {"reduce", NULL, reduce, NULL, NULL, NULL, napi_default, NULL},
      {"unary", NULL, unary, NULL, NULL, NULL, napi_default, NULL},
      {"getThreads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"blasConfig", NULL, blas_config, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) {
    return NULL;
  }
  return exports;
}
