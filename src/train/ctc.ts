import { tf } from '../runtime/tf.js';

/** A log-probability that stands for -∞ without turning 0·(-∞) into NaN in masked updates. */
const NEG = -1e30;

function logSumExp(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const max = tf.maximum(a, b);
  return max.add(tf.log(tf.exp(a.sub(max)).add(tf.exp(b.sub(max)))));
}

/**
 * Connectionist temporal classification loss (Graves et al. 2006), batched, in log space, with
 * blank id 0: the forward recursion over the extended label sequence [∅, y1, ∅, y2, …, ∅].
 * Gradients come from autodiff through the recursion.
 *   logProbs [B, T, V] (log-softmax), inputLengths [B], targets [B, L] (padded), targetLengths [B]
 * Returns the mean over the batch of -log p(y | x), each divided by its target length.
 */
export function ctcLoss(
  logProbs: tf.Tensor3D,
  inputLengths: readonly number[],
  targets: readonly (readonly number[])[],
  blank = 0,
): tf.Scalar {
  const [batch, time, vocab] = logProbs.shape;
  const maxLabel = Math.max(1, ...targets.map((t) => t.length));
  const states = 2 * maxLabel + 1;
  // Extended labels and which states may skip the blank before them (not after a repeat).
  const extended = new Int32Array(batch * states).fill(blank);
  const canSkip = new Float32Array(batch * states);
  const isFinal = new Float32Array(batch * states);
  const valid = new Float32Array(batch * states);
  targets.forEach((target, b) => {
    const s = 2 * target.length + 1;
    for (let i = 0; i < target.length; i++) {
      extended[b * states + 2 * i + 1] = target[i]!;
      if (i > 0 && target[i] !== target[i - 1]) canSkip[b * states + 2 * i + 1] = 1;
    }
    for (let j = 0; j < s; j++) valid[b * states + j] = 1;
    isFinal[b * states + s - 1] = 1;
    if (s >= 2) isFinal[b * states + s - 2] = 1;
  });
  const negInfBelow = (mask: tf.Tensor) => tf.sub(1, mask).mul(NEG);
  const labels = tf.tensor2d(extended, [batch, states], 'int32');
  const skipMask = tf.tensor2d(canSkip, [batch, states]);
  const stateMask = tf.tensor2d(valid, [batch, states]);
  // emissions[b, t, s] = logProbs[b, t, extended[b, s]]
  const onehot = tf.oneHot(labels, vocab).toFloat(); // [B, S, V]
  const emissions = tf.matMul(logProbs, onehot, false, true); // [B, T, S]
  const steps = tf.unstack(emissions, 1) as tf.Tensor2D[];
  const start = new Float32Array(batch * states).fill(0);
  for (let b = 0; b < batch; b++) {
    start[b * states] = 1;
    if (targets[b]!.length > 0) start[b * states + 1] = 1;
  }
  let alpha: tf.Tensor = steps[0]!.add(negInfBelow(tf.tensor2d(start, [batch, states])));
  const shift = (x: tf.Tensor, by: number) =>
    tf.concat([tf.fill([batch, by], NEG), x.slice([0, 0], [batch, states - by])], 1);
  for (let t = 1; t < time; t++) {
    const stay = alpha;
    const fromPrevious = shift(alpha, 1);
    const fromSkip = shift(alpha, 2).add(negInfBelow(skipMask));
    let next = logSumExp(logSumExp(stay, fromPrevious), fromSkip).add(steps[t]!);
    next = next.add(negInfBelow(stateMask)).maximum(NEG);
    // Past an utterance's end its alphas stay as they were.
    const running = tf.tensor2d(
      inputLengths.map((length) => [t < length ? 1 : 0]),
      [batch, 1],
    );
    alpha = next.mul(running).add(alpha.mul(tf.sub(1, running)));
  }
  const finals = alpha.add(negInfBelow(tf.tensor2d(isFinal, [batch, states])));
  const max = finals.max(1, true);
  const logLikelihood = max.squeeze([1]).add(tf.log(tf.exp(finals.sub(max)).sum(1)));
  const lengths = tf.tensor1d(targets.map((t) => Math.max(1, t.length)));
  return logLikelihood.neg().div(lengths).mean() as tf.Scalar;
}
