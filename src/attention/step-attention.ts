import { STEP_ATTENTION_KERNEL } from '../runtime/kernel-names.js';
import { tf } from '../runtime/tf.js';
import { hasKernel } from '../runtime/webgpu-kernels.js';

/**
 * Multi-head attention of a single query position in one kernel where the backend has it
 * (native): q·kᵀ, the masked softmax (scale folded in) and weights·v with the heads merged. A
 * beam step of the decoder runs four attentions, each otherwise three kernels and a reshape, at
 * ~10 µs of engine time per kernel whatever its size. Decoding only: there is no gradient, so it
 * returns undefined while a gradient is being recorded, and for masks that vary by query.
 */
export function stepAttention(
  q: tf.Tensor4D, // [B, H, 1, d]
  k: tf.Tensor4D, // [B, H, Tk, d]
  v: tf.Tensor4D, // [B, H, Tk, d]
  mask: tf.Tensor | undefined, // [B|1, Tk] or [B|1, 1, Tk]
  scale: number,
): { context: tf.Tensor3D; weights: tf.Tensor4D } | undefined {
  if (q.shape[2] !== 1 || !hasKernel(STEP_ATTENTION_KERNEL)) return undefined;
  // tfjs's engine state says whether a tape is recording (tf.grad, optimizer.minimize).
  if (tf.engine().state.gradientDepth > 0) return undefined;
  if (mask && !(mask.rank === 2 || (mask.rank === 3 && mask.shape[1] === 1))) return undefined;
  const rows =
    mask && (mask.rank === 2 ? mask : mask.reshape([mask.shape[0]!, mask.shape.at(-1)!]));
  const keep = rows && (rows.dtype === 'float32' ? rows : rows.toFloat());
  const inputs: tf.NamedTensorMap = keep ? { q, k, v, keep } : { q, k, v };
  const [context, weights] = tf.engine().runKernel(STEP_ATTENTION_KERNEL, inputs, {
    scale,
  }) as [tf.Tensor3D, tf.Tensor4D];
  return { context, weights };
}
