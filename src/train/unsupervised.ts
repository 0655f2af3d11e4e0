import { tf } from '../runtime/tf.js';

/**
 * Label-free objectives on frame-level CTC outputs, for test-time adaptation (SUTA: Lin et al.
 * 2022, "Listen, Adapt, Better WER"). Both take one utterance's logits [T, C] (padding removed)
 * and a temperature that flattens them first (a sharp distribution has a vanishing gradient).
 */

/** Per-frame entropy H_t = −Σ_c p log p of softmax(logits / temperature): [T]. */
export function frameEntropy(logits: tf.Tensor2D, temperature = 1): tf.Tensor1D {
  return tf.tidy(() => {
    const logP = tf.logSoftmax(logits.div(temperature));
    return logP.exp().mul(logP).sum(1).neg() as tf.Tensor1D;
  });
}

/**
 * Mean entropy over the frames that emit a token (argmax is not the blank, id 0); blank frames are
 * confident already and would drown the signal. All frames when none emit.
 */
export function emittingFrameEntropy(logits: tf.Tensor2D, temperature: number): tf.Scalar {
  const ids = tf.tidy(() => logits.argMax(1).dataSync());
  const emitting = [...ids].flatMap((id, t) => (id === 0 ? [] : [t]));
  return tf.tidy(() => {
    const entropy = frameEntropy(logits, temperature);
    return (emitting.length ? tf.gather(entropy, emitting).mean() : entropy.mean()) as tf.Scalar;
  });
}

/**
 * Minimum class confusion (Jin et al. 2020): how much probability mass frames put on two classes
 * at once. The class-correlation matrix PᵀWP (frames weighted by 1 + e^{−H_t}, more weight to the
 * confident ones, as constants) has its rows normalised; the loss is its off-diagonal mass over C.
 */
export function minimumClassConfusion(logits: tf.Tensor2D, temperature: number): tf.Scalar {
  const [frames, classes] = logits.shape;
  const weights = tf.tidy(() => {
    const w = frameEntropy(logits, temperature).neg().exp().add(1);
    return w.mul(frames).div(w.sum()).dataSync() as Float32Array;
  });
  return tf.tidy(() => {
    const p = tf.softmax(logits.div(temperature));
    const weighted = p.mul(tf.tensor2d(weights, [frames, 1]));
    const correlation = tf.matMul(weighted, p, true, false); // [C, C]
    const rows = correlation.div(correlation.sum(1, true).add(1e-12));
    const diagonal = rows.mul(tf.eye(classes)).sum();
    return rows.sum().sub(diagonal).div(classes) as tf.Scalar;
  });
}
