// Conv2D and its two gradients as im2col + one sgemm per chunk of images (NHWC layout, so the
// columns of an im2col row are (fh, fw, c): exactly the filter's [fH, fW, inC, outC] row order).
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

// Bound the im2col buffer (in floats) so that large batches do not allocate gigabytes.
#define COL_BUDGET_FLOATS (8 * 1024 * 1024)

static int64_t patch_size(const ConvDims* d) { return (int64_t)d->filter_h * d->filter_w * d->in_c; }
static int64_t rows_per_image(const ConvDims* d) { return (int64_t)d->out_h * d->out_w; }

static int is_pointwise(const ConvDims* d) {
  return d->filter_h == 1 && d->filter_w == 1 && d->stride_h == 1 && d->stride_w == 1 &&
         d->pad_top == 0 && d->pad_left == 0;
}

static int images_per_chunk(const ConvDims* d) {
  int64_t per_image = rows_per_image(d) * patch_size(d);
  int64_t n = per_image > 0 ? COL_BUDGET_FLOATS / per_image : d->batch;
  if (n < 1) n = 1;
  if (n > d->batch) n = d->batch;
  return (int)n;
}

// Copies (scatter = 0) the patches of `count` images into col, or adds col back (scatter = 1).
static void im2col(float* image, float* col, const ConvDims* d, int count, int scatter) {
  const int64_t k = patch_size(d);
  const int64_t image_size = (int64_t)d->in_h * d->in_w * d->in_c;
  const size_t run = (size_t)d->in_c;
  for (int n = 0; n < count; n++) {
    float* img = image + n * image_size;
    float* col_n = col + n * rows_per_image(d) * k;
    for (int oh = 0; oh < d->out_h; oh++) {
      for (int ow = 0; ow < d->out_w; ow++) {
        float* row = col_n + ((int64_t)oh * d->out_w + ow) * k;
        for (int fh = 0; fh < d->filter_h; fh++) {
          const int ih = oh * d->stride_h - d->pad_top + fh * d->dilation_h;
          for (int fw = 0; fw < d->filter_w; fw++) {
            const int iw = ow * d->stride_w - d->pad_left + fw * d->dilation_w;
            float* cell = row + ((int64_t)fh * d->filter_w + fw) * d->in_c;
            const int inside = ih >= 0 && ih < d->in_h && iw >= 0 && iw < d->in_w;
            if (!inside) {
              if (!scatter) memset(cell, 0, run * sizeof(float));
              continue;
            }
            float* pixel = img + ((int64_t)ih * d->in_w + iw) * d->in_c;
            if (scatter) {
              for (size_t c = 0; c < run; c++) pixel[c] += cell[c];
            } else {
              memcpy(cell, pixel, run * sizeof(float));
            }
          }
        }
      }
    }
  }
}

void attend_conv2d(const float* x, const float* filter, float* y, const ConvDims* d) {
  const int64_t k = patch_size(d);
  const int64_t image_in = (int64_t)d->in_h * d->in_w * d->in_c;
  const int64_t image_out = rows_per_image(d) * d->out_c;
  if (is_pointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d->batch * rows_per_image(d), d->out_c,
                k, 1.0f, x, k, filter, d->out_c, 0.0f, y, d->out_c);
    return;
  }
  const int chunk = images_per_chunk(d);
  float* col = malloc(sizeof(float) * chunk * rows_per_image(d) * k);
  for (int start = 0; start < d->batch; start += chunk) {
    const int count = d->batch - start < chunk ? d->batch - start : chunk;
    im2col((float*)x + start * image_in, col, d, count, 0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, count * rows_per_image(d), d->out_c, k,
                1.0f, col, k, filter, d->out_c, 0.0f, y + start * image_out, d->out_c);
  }
  free(col);
}

void attend_conv2d_backprop_input(const float* dy, const float* filter, float* dx,
                                  const ConvDims* d) {
  const int64_t k = patch_size(d);
  const int64_t image_in = (int64_t)d->in_h * d->in_w * d->in_c;
  const int64_t image_out = rows_per_image(d) * d->out_c;
  if (is_pointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, d->batch * rows_per_image(d), k, d->out_c,
                1.0f, dy, d->out_c, filter, d->out_c, 0.0f, dx, k);
    return;
  }
  memset(dx, 0, sizeof(float) * d->batch * image_in);
  const int chunk = images_per_chunk(d);
  float* col = malloc(sizeof(float) * chunk * rows_per_image(d) * k);
  for (int start = 0; start < d->batch; start += chunk) {
    const int count = d->batch - start < chunk ? d->batch - start : chunk;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, count * rows_per_image(d), k, d->out_c,
                1.0f, dy + start * image_out, d->out_c, filter, d->out_c, 0.0f, col, k);
    im2col(dx + start * image_in, col, d, count, 1);
  }
  free(col);
}

void attend_conv2d_backprop_filter(const float* x, const float* dy, float* dfilter,
                                   const ConvDims* d) {
  const int64_t k = patch_size(d);
  const int64_t image_in = (int64_t)d->in_h * d->in_w * d->in_c;
  const int64_t image_out = rows_per_image(d) * d->out_c;
  if (is_pointwise(d)) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, d->out_c, d->batch * rows_per_image(d),
                1.0f, x, k, dy, d->out_c, 0.0f, dfilter, d->out_c);
    return;
  }
  const int chunk = images_per_chunk(d);
  float* col = malloc(sizeof(float) * chunk * rows_per_image(d) * k);
  for (int start = 0; start < d->batch; start += chunk) {
    const int count = d->batch - start < chunk ? d->batch - start : chunk;
    im2col((float*)x + start * image_in, col, d, count, 0);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, k, d->out_c, count * rows_per_image(d),
                1.0f, col, k, dy + start * image_out, d->out_c, start == 0 ? 0.0f : 1.0f, dfilter,
                d->out_c);
  }
  free(col);
}
