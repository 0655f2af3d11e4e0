import { tf } from '../runtime/tf.js';

/**
 * Token-level cross-entropy with label smoothing, averaged over the unmasked target positions.
 * logits [B, L, V], targets [B, L] int, mask [B, L] (1 = real token).
 */
export function sequenceCrossEntropy(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
  labelSmoothing = 0,
): tf.Scalar {
  const vocab = logits.shape[2];
  const logProbs = tf.logSoftmax(logits);
  const onehot = tf.oneHot(targets.toInt(), vocab).toFloat();
  const smoothed =
    labelSmoothing > 0 ? onehot.mul(1 - labelSmoothing).add(labelSmoothing / vocab) : onehot;
  const perToken = logProbs.mul(smoothed).sum(-1).neg(); // [B, L]
  const m = mask.toFloat();
  return perToken.mul(m).sum().div(m.sum().maximum(1)) as tf.Scalar;
}

/** Log-likelihood of each target sequence [B] (the reward of hard attention's REINFORCE). */
export function sequenceLogLikelihood(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Tensor1D {
  const logProbs = tf.logSoftmax(logits);
  const picked = logProbs.mul(tf.oneHot(targets.toInt(), logits.shape[2]).toFloat()).sum(-1); // [B, L]
  return picked.mul(mask.toFloat()).sum(1) as tf.Tensor1D;
}

/**
 * Show-Attend-and-Tell's doubly stochastic regulariser: every memory position should receive about
 * one unit of attention over the whole output, λ Σ_i (1 - Σ_t α_ti)², averaged over the batch.
 * weights [B, L, T], targetMask [B, L], memoryMask [B, T].
 */
export function doublyStochasticPenalty(
  weights: tf.Tensor3D,
  targetMask: tf.Tensor2D,
  memoryMask: tf.Tensor2D,
): tf.Scalar {
  const received = weights.mul(targetMask.toFloat().expandDims(2)).sum(1); // [B, T]
  const gap = tf.sub(1, received).square().mul(memoryMask.toFloat());
  return gap.sum(1).mean() as tf.Scalar;
}

/**
 * The score-function (REINFORCE) surrogate for hard attention: its gradient is
 * -(reward - baseline) · ∇ log p(sampled positions). `reward` is per sequence [B] (e.g. the
 * log-likelihood of the target), treated as a constant; `baseline` a running mean of it.
 */
export function reinforceSurrogate(
  sampleLogProb: tf.Tensor2D, // [B, L]
  targetMask: tf.Tensor2D,
  reward: tf.Tensor1D,
  baseline: number,
): tf.Scalar {
  const advantage = tf.tensor1d(reward.dataSync()).sub(baseline); // a constant: no gradient through it
  const logProb = sampleLogProb.mul(targetMask.toFloat()).sum(1); // [B]
  return logProb.mul(advantage).mean().neg() as tf.Scalar;
}
