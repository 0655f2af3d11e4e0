import { dense } from '../nn/layers.js';
import type { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { windowMask } from './masking.js';
import type { LocalWindow } from './types.js';

export interface LocalRestriction {
  /** keep-mask [B|1, Tq, Tk] */
  readonly mask: tf.Tensor;
  /** local-p's Gaussian [B, Tq, Tk], multiplied into the weights after the softmax. */
  readonly gaussian?: tf.Tensor;
}

/**
 * The window of local attention for queries [B, Tq, Dq] at decoding step `step`.
 * local-m centres on the step itself; local-p predicts p = S·sigmoid(vᵀ tanh(W q)) with S the last
 * valid key position, keeps |k - round(p)| ≤ width, and weights by exp(-(k - p)² / (2σ²)), σ = width/2.
 */
export function localRestriction(
  params: ParamStore,
  window: LocalWindow,
  query: tf.Tensor3D,
  keyLength: number,
  step: number,
  keyMask?: tf.Tensor,
): LocalRestriction {
  const [batch, tq] = query.shape;
  if (window.type === 'monotonic') {
    const centres = tf.range(step, step + tq).reshape([1, tq]);
    return { mask: windowMask(centres, keyLength, window.width, window.width) };
  }
  const hidden = tf.tanh(dense(params, query, query.shape[2], { name: 'local/w', bias: false }));
  const unit = tf
    .sigmoid(dense(params, hidden, 1, { name: 'local/v', bias: false }))
    .reshape([batch, tq]);
  const lastKey = keyMask
    ? (keyMask.rank === 2 ? keyMask : keyMask.max(1)).toFloat().sum(-1, true).sub(1) // [B, 1]
    : tf.scalar(keyLength - 1);
  const centres = unit.mul(lastKey); // [B, Tq], differentiable
  // The window is a constant: its edges depend on round(p), which has no gradient.
  const rounded = tf.tensor(centres.dataSync(), centres.shape).round();
  const mask = windowMask(rounded, keyLength, window.width, window.width);
  const sigma = window.width / 2;
  const keys = tf.range(0, keyLength).reshape([1, 1, keyLength]);
  const gaussian = tf.exp(
    keys
      .sub(centres.expandDims(-1))
      .square()
      .div(-2 * sigma * sigma),
  );
  return { mask, gaussian };
}
