import { tf } from '../runtime/tf.js';
import { fusedMaskedSoftmax } from './softmax-fused.js';

const NEG = -1e9;

/**
 * Brings a [B, Tk] or [B, Tq, Tk] keep-mask to the rank of scores ([B, Tq, Tk] or [B, H, Tq, Tk]).
 */
export function expandMask(mask: tf.Tensor, scoresRank: number): tf.Tensor {
  let m = mask.rank === 2 ? mask.expandDims(1) : mask; // [B, 1|Tq, Tk]
  if (scoresRank === 4) m = m.expandDims(1); // [B, 1, 1|Tq, Tk]
  return m;
}

/**
 * softmax(scale · scores) over the last axis where masked positions get exactly 0 weight (rows
 * with nothing unmasked get all zeros rather than a uniform spread). `scale` > 0.
 */
export function maskedSoftmax(scores: tf.Tensor, mask?: tf.Tensor, scale = 1): tf.Tensor {
  const fused = fusedMaskedSoftmax(scores, mask, scale);
  if (fused) return fused;
  if (scale !== 1) return maskedSoftmax(scores.mul(scale), mask);
  if (!mask) return tf.softmax(scores);
  const keep = expandMask(mask.toFloat(), scores.rank);
  const shifted = scores.add(tf.sub(1, keep).mul(NEG));
  return tf.softmax(shifted).mul(keep);
}

/** Multiplies two keep-masks of possibly different ranks ([B,Tk] and [B,Tq,Tk]). */
export function combineMasks(a?: tf.Tensor, b?: tf.Tensor): tf.Tensor | undefined {
  if (!a) return b;
  if (!b) return a;
  const lift = (m: tf.Tensor) => (m.rank === 2 ? m.expandDims(1) : m);
  return lift(a.toFloat()).mul(lift(b.toFloat()));
}

/**
 * The one window helper: mask[..., q, k] = 1 where centre[..., q] - before <= k <= centre + after.
 * Local attention passes per-step centres; sparse band patterns pass 0..T-1.
 */
export function windowMask(
  centres: tf.Tensor,
  keyLength: number,
  before: number,
  after: number,
): tf.Tensor {
  const keys = tf.range(0, keyLength).reshape([...centres.shape.map(() => 1), keyLength]);
  const c = centres.expandDims(-1);
  return tf.logicalAnd(keys.greaterEqual(c.sub(before)), keys.lessEqual(c.add(after))).toFloat();
}

/** Lower-triangular [T, T] mask: position q sees keys 0..q (decoder self-attention). */
export function causalMask(length: number): tf.Tensor2D {
  return tf.linalg.bandPart(tf.ones([length, length]), -1, 0) as tf.Tensor2D;
}
