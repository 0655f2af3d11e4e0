#include <cblas.h>

#include "kernels.h"

// Below this many multiply-adds a GEMM finishes before sleeping OpenBLAS threads wake up:
// small products (decoder steps, per-head attention) run faster on one thread.
#define SMALL_GEMM (1LL << 22)

void attend_batch_matmul(const float* a, const float* b, float* out, const int32_t* a_offsets,
                         const int32_t* b_offsets, int batch, int m, int n, int k, int trans_a,
                         int trans_b) {
  const int lda = trans_a ? m : k;
  const int ldb = trans_b ? k : n;
  const CBLAS_TRANSPOSE ta = trans_a ? CblasTrans : CblasNoTrans;
  const CBLAS_TRANSPOSE tb = trans_b ? CblasTrans : CblasNoTrans;
  const int threads = openblas_get_num_threads();
  const int single = threads > 1 && (long long)m * n * k < SMALL_GEMM;
  if (single) openblas_set_num_threads(1);
  for (int i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a + a_offsets[i], lda, b + b_offsets[i], ldb,
                0.0f, out + (int64_t)i * m * n, n);
  }
  if (single) openblas_set_num_threads(threads);
}
