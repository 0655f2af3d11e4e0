import { tf } from '../runtime/tf.js';

/**
 * Hard (stochastic) attention, Show-Attend-and-Tell style: one position per query. In training it
 * is sampled from the soft weights, and the log-probability of the sample is returned for the
 * REINFORCE term of the loss; otherwise the most likely position is taken.
 */
export function hardAttention(
  weights: tf.Tensor, // [..., Tk], rows sum to 1 (or 0 where fully masked)
  training: boolean,
  seed?: number,
): { onehot: tf.Tensor; logProb?: tf.Tensor } {
  const tk = weights.shape.at(-1)!;
  const rows = weights.reshape([-1, tk]) as tf.Tensor2D;
  // The sample is a constant for differentiation (tfjs has no gradient for Multinomial, and none
  // is wanted): copying it out of the tape keeps backprop from walking into it.
  let picked: tf.Tensor;
  if (training) {
    const sample = tf.multinomial(tf.log(rows.add(1e-12)) as tf.Tensor2D, 1, seed);
    picked = tf.tensor1d(sample.dataSync(), 'int32');
    sample.dispose();
  } else picked = rows.argMax(1);
  const onehot = tf.oneHot(picked.toInt(), tk).toFloat().reshape(weights.shape);
  if (!training) return { onehot };
  // log p(sample): differentiable with respect to the soft weights, hence to the scorer.
  const logProb = tf.log(rows.mul(tf.oneHot(picked.toInt(), tk).toFloat()).sum(1).add(1e-12));
  return { onehot, logProb: logProb.reshape(weights.shape.slice(0, -1)) };
}
