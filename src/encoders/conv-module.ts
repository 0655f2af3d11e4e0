import { dropout } from '../nn/dropout.js';
import { dense, layerNorm } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { DEPTHWISE_KERNELS } from '../runtime/kernel-names.js';
import { tf } from '../runtime/tf.js';
import { hasKernel, runKernel } from '../runtime/webgpu-kernels.js';

/**
 * Conformer's convolution module (Gulati et al. 2020), what an encoder layer adds after its
 * self-attention when the config asks for it: layer norm, a pointwise projection to 2·D with a
 * GLU, a depthwise convolution over time (`kernel` frames, 'same' padding), a norm, swish, and a
 * pointwise projection back to D, as a residual branch. Self-attention sees the whole utterance;
 * the convolution is the local pattern (a formant's movement over a few frames) it models
 * poorly. A layer norm stands in for the paper's batch norm: padded batches of very different
 * lengths would skew batch statistics. Padded frames are zeroed before the convolution so they
 * cannot leak into real ones. Returns x + branch, [B, T, D].
 */
export function convolutionModule(
  params: ParamStore,
  x: tf.Tensor3D, // [B, T, D]
  mask: tf.Tensor2D, // [B, T]
  kernel: number,
  rate: number,
): tf.Tensor3D {
  const dim = x.shape[2];
  const p = params.scope('conv');
  const h = layerNorm(p, x, 'norm1');
  const [value, gate] = tf.split(dense(p, h, 2 * dim, { name: 'pointwise1' }), 2, 2);
  const glu = value!.mul(tf.sigmoid(gate!)).mul(mask.expandDims(2)) as tf.Tensor3D; // [B, T, D]
  const filter = p.get('depthwise/w', [kernel, dim]);
  const bias = p.get('depthwise/b', [dim], 'zeros');
  const convolved = depthwiseConv1d(glu, filter).add(bias);
  const normed = layerNorm(p, convolved, 'norm2');
  const swish = normed.mul(tf.sigmoid(normed));
  const out = dense(p, swish, dim, { name: 'pointwise2' });
  return x.add(dropout(out, rate)) as tf.Tensor3D;
}

/**
 * A depthwise convolution over time with 'same' zero padding: out[b, t, c] = Σ_k
 * x[b, t + k - (K-1)/2, c] · w[k, c], for x [B, T, C] and w [K, C] (K odd). The native backend
 * has a C kernel for it and its gradients: tfjs's depthwiseConv2d has only the pure-JS cpu kernel
 * there (a training step of the small preset took 6.5 s with it, against 1.1 s without the
 * module; K shifted slices, or a gather of each frame's neighbours, 2-5 s). Elsewhere (WebGPU,
 * wasm, cpu) tfjs's depthwiseConv2d.
 */
export function depthwiseConv1d(x: tf.Tensor3D, w: tf.Tensor): tf.Tensor3D {
  const kernel = w.shape[0]!;
  if (kernel % 2 !== 1) throw new Error(`depthwise kernel must be odd, got ${kernel}`);
  if (hasKernel(DEPTHWISE_KERNELS.forward)) return nativeDepthwise(x, w);
  const [batch, frames, channels] = x.shape;
  return tf
    .depthwiseConv2d(
      x.reshape([batch, frames, 1, channels]) as tf.Tensor4D,
      w.reshape([kernel, 1, channels, 1]) as tf.Tensor4D,
      1,
      'same',
    )
    .reshape([batch, frames, channels]) as tf.Tensor3D;
}

const nativeDepthwise = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const attrs = { kernel: w.shape[0]! };
  save([x, w]);
  return {
    value: runKernel(DEPTHWISE_KERNELS.forward, { x, w }, attrs),
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor, tf.Tensor];
      const d = dy as tf.Tensor;
      return [
        runKernel(DEPTHWISE_KERNELS.gradX, { dy: d, w: ws }, attrs),
        runKernel(DEPTHWISE_KERNELS.gradW, { x: xs, dy: d }, attrs),
      ];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor3D;
