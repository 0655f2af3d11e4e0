import type { tf } from '../runtime/tf.js';

// With one position (a decoder step) or one head, swapping the T and H axes moves no data:
// a reshape does it, and the transpose kernel (12 per step of the ASR decoder) is skipped.

/** [B, T, H·d] -> [B, H, T, d] */
export function splitHeads(x: tf.Tensor, heads: number): tf.Tensor4D {
  const [b, t, dim] = x.shape as [number, number, number];
  if (t === 1 || heads === 1) return x.reshape([b, heads, t, dim / heads]) as tf.Tensor4D;
  return x.reshape([b, t, heads, dim / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
}

/** [B, H, T, d] -> [B, T, H·d] */
export function mergeHeads(x: tf.Tensor): tf.Tensor3D {
  const [b, h, t, d] = x.shape as [number, number, number, number];
  if (t === 1 || h === 1) return x.reshape([b, t, h * d]) as tf.Tensor3D;
  return x.transpose([0, 2, 1, 3]).reshape([b, t, h * d]) as tf.Tensor3D;
}

export function checkHeads(dim: number, heads: number): void {
  if (dim % heads !== 0) throw new Error(`attention dim ${dim} is not divisible by ${heads} heads`);
}
