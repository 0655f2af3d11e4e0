import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { DENSE_KERNEL } from '../runtime/kernel-names.js';
import { tf } from '../runtime/tf.js';
import { hasKernel, registerWebGpuKernel, runKernel } from '../runtime/webgpu-kernels.js';

/**
 * x [..., in] · w [in, out] + bias as one kernel where the backend has DENSE_KERNEL (native,
 * webgpu), else undefined. Through tf.fused.matMul a dense layer on a [B, T, in] tensor is five
 * reshapes around the product, each a trip through the engine: in an ASR beam step three of
 * every four kernels were reshapes, and a reshape costs about what a small matMul's arithmetic
 * does.
 */
export function denseKernel(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor): tf.Tensor | undefined {
  if (x.dtype !== 'float32' || !hasKernel(DENSE_KERNEL)) return undefined;
  return runKernel(DENSE_KERNEL, { x, w, bias });
}

// The gradient, in tfjs ops: dx = dy·wᵀ, dw = xᵀ·dy (rows flattened), dbias = Σ_rows dy.
tf.registerGradient({
  kernelName: DENSE_KERNEL,
  inputsToSave: ['x', 'w'],
  gradFunc: (dy, saved) => {
    const [x, w] = saved as [tf.Tensor, tf.Tensor2D];
    const [inDim, outDim] = w.shape;
    const rows = (dy as tf.Tensor).reshape([-1, outDim]) as tf.Tensor2D;
    return {
      x: () => tf.matMul(rows, w, false, true).reshape(x.shape),
      w: () => tf.matMul(x.reshape([-1, inDim]) as tf.Tensor2D, rows, true, false),
      bias: () => rows.sum(0),
    };
  },
});

/**
 * On webgpu: tfjs's own fused matMul program, handed x as [rows, in] (a reshape is only a new
 * shape on the same buffer, as tfjs's Reshape kernel does it) and its output given x's shape back.
 */
registerWebGpuKernel(DENSE_KERNEL, ({ inputs, backend }) => {
  const { x, w, bias } = inputs as { x: TensorInfo; w: TensorInfo; bias: TensorInfo };
  const [inDim, outDim] = w.shape as [number, number];
  const rows = x.shape.reduce((a, b) => a * b, 1) / inDim;
  const fusedMatMul = tf.getKernel('_FusedMatMul', 'webgpu')!.kernelFunc as KernelFunc;
  const out = fusedMatMul({
    inputs: { a: { ...x, shape: [rows, inDim] }, b: w, bias },
    backend,
    attrs: { transposeA: false, transposeB: false, activation: 'linear', leakyreluAlpha: 0 },
  }) as TensorInfo;
  return { ...out, shape: [...x.shape.slice(0, -1), outDim] };
});
