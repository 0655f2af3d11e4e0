import { tf } from '../runtime/tf.js';

type Padding = 'same' | 'valid';

/** Rows of the patch matrix each group sums before the groups are added (split-K). */
const ROWS_PER_GROUP = 1024;

/** Top/left and bottom/right padding of one spatial axis, as tfjs pads 'same' convolutions. */
function samePadding(size: number, outSize: number, kernel: number, stride: number) {
  const total = Math.max((outSize - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)] as [number, number];
}

/**
 * dL/dW of conv2d(x, W) as one batched matrix product: the kh×kw input patches under every output
 * position, as rows [N, kh·kw·cin] (N = batch·outH·outW), times dy [N, cout], with N cut into
 * groups that are multiplied in parallel and then summed. tfjs's WebGPU Conv2DBackpropFilter
 * gives each of the kh·kw·cin·cout outputs one thread that walks all N positions: 90 ms of the
 * 117 ms an ASR training step spends in kernels on an H100 (two calls, N = 186k and 45k).
 */
export function conv2dFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  stride: number,
  padding: Padding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, cin, cout] = filterShape;
    const [batch, outH, outW] = dy.shape;
    let padded = x;
    if (padding === 'same') {
      const [top, bottom] = samePadding(x.shape[1], outH, kh, stride);
      const [left, right] = samePadding(x.shape[2], outW, kw, stride);
      padded = tf.pad(x, [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ]);
    }
    const columns: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++)
      for (let j = 0; j < kw; j++)
        columns.push(
          tf.stridedSlice(
            padded,
            [0, i, j, 0],
            [batch, i + stride * (outH - 1) + 1, j + stride * (outW - 1) + 1, cin],
            [1, stride, stride, 1],
          ) as tf.Tensor4D,
        );
    const rows = batch * outH * outW;
    const groups = Math.ceil(rows / ROWS_PER_GROUP);
    const extra = groups * ROWS_PER_GROUP - rows;
    const k = kh * kw * cin;
    // Column order (kh, kw, cin) is the filter's own layout, so [k, cout] reshapes straight into it.
    const patches = tf.concat(columns, 3).reshape([rows, k]);
    const grads = dy.reshape([rows, cout]);
    const grouped = (m: tf.Tensor, width: number) =>
      (extra
        ? tf.pad(m, [
            [0, extra],
            [0, 0],
          ])
        : m
      ).reshape([groups, ROWS_PER_GROUP, width]) as tf.Tensor3D;
    return tf
      .matMul(grouped(patches, k), grouped(grads, cout), true, false)
      .sum(0)
      .reshape([kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

/** conv2d whose filter gradient is conv2dFilterGrad (input gradient: tfjs's own). */
export function conv2dSplitKGrad(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  padding: Padding,
): tf.Tensor4D {
  const shape = filter.shape;
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, w, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([xs, w]);
    return {
      value: tf.conv2d(xs, w, stride, padding),
      gradFunc: (dy, saved) => {
        const [savedX, savedW] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        return [
          tf.conv2dTranspose(dy4, savedW, savedX.shape, stride, padding),
          conv2dFilterGrad(savedX, dy4, shape, stride, padding),
        ];
      },
    };
  });
  return run(x, filter) as tf.Tensor4D;
}

/**
 * A convolution for our encoders: on WebGPU with the split-K filter gradient, elsewhere tfjs's
 * conv2d (the native backend's own filter-gradient kernel is faster than the patch matrix).
 */
export function conv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  padding: Padding,
): tf.Tensor4D {
  return tf.getBackend() === 'webgpu'
    ? conv2dSplitKGrad(x, filter, stride, padding)
    : tf.conv2d(x, filter, stride, padding);
}
