import { tf } from '../runtime/tf.js';
import { logAdd, NEG_INF } from '../util/log-space.js';
import { ctcLossAndGradOnDevice, ctcOnDevice } from './ctc-webgpu.js';

const NEG = NEG_INF;

/**
 * -log p(target | x) and its gradient with respect to the log-probabilities of one utterance,
 * by the forward-backward algorithm over the extended labels [∅, y1, ∅, y2, …, ∅] (Graves et al.
 * 2006). lp is [T, V] row-major; the gradient is minus the label posteriors γ_t(k).
 *
 * In probabilities rescaled to sum 1 at every frame (Graves's own formulation): only products
 * and sums, where log space needs a log and an exp per addition. On an H100 the log-space
 * version was 30 ms of a 100 ms ASR training step. Rescaling loses a path only when it falls
 * 1e-308 below the frame's best; if that leaves no path at all, the log-space version decides.
 */
export function ctcOne(
  lp: Float32Array,
  time: number,
  vocab: number,
  target: readonly number[],
  blank: number,
) {
  const states = 2 * target.length + 1;
  const label = new Int32Array(states).map((_, s) => (s % 2 === 0 ? blank : target[(s - 1) >> 1]!));
  const skip = new Uint8Array(states).map((_, s) =>
    s % 2 === 1 && s >= 3 && label[s] !== label[s - 2] ? 1 : 0,
  );
  // Emission probabilities of each state's label, frame by frame.
  const emit = new Float64Array(time * states);
  for (let t = 0; t < time; t++)
    for (let s = 0; s < states; s++) emit[t * states + s] = Math.exp(lp[t * vocab + label[s]!]!);
  const alpha = new Float64Array(time * states);
  const beta = new Float64Array(time * states);
  let logScale = 0; // Σ log of the forward pass's per-frame sums
  alpha[0] = emit[0]!;
  if (states > 1) alpha[1] = emit[1]!;
  for (let t = 0; t < time; t++) {
    const row = t * states;
    if (t > 0) {
      const prev = row - states;
      for (let s = 0; s < states; s++) {
        let a = alpha[prev + s]!;
        if (s >= 1) a += alpha[prev + s - 1]!;
        if (skip[s]) a += alpha[prev + s - 2]!;
        alpha[row + s] = a * emit[row + s]!;
      }
    }
    let sum = 0;
    for (let s = 0; s < states; s++) sum += alpha[row + s]!;
    if (!(sum > 0)) return ctcOneLogSpace(lp, time, vocab, target, blank);
    for (let s = 0; s < states; s++) alpha[row + s]! /= sum;
    logScale += Math.log(sum);
  }
  const last = (time - 1) * states;
  const end = alpha[last + states - 1]! + (states > 1 ? alpha[last + states - 2]! : 0);
  if (!(end > 0)) return ctcOneLogSpace(lp, time, vocab, target, blank);
  const logLikelihood = logScale + Math.log(end);
  beta[last + states - 1] = emit[last + states - 1]!;
  if (states > 1) beta[last + states - 2] = emit[last + states - 2]!;
  const grad = new Float32Array(time * vocab);
  for (let t = time - 1; t >= 0; t--) {
    const row = t * states;
    if (t < time - 1) {
      const next = row + states;
      let sum = 0;
      for (let s = 0; s < states; s++) {
        let b = beta[next + s]!;
        if (s + 1 < states) b += beta[next + s + 1]!;
        if (s + 2 < states && skip[s + 2]) b += beta[next + s + 2]!;
        beta[row + s] = b * emit[row + s]!;
        sum += beta[row + s]!;
      }
      if (!(sum > 0)) return ctcOneLogSpace(lp, time, vocab, target, blank);
      for (let s = 0; s < states; s++) beta[row + s]! /= sum;
    }
    // γ_t(s) ∝ α_t(s)·β_t(s)/y_t(s) (both include the emission at t); per frame the posteriors
    // sum to 1, so every rescaling cancels in the normalisation.
    let total = 0;
    for (let s = 0; s < states; s++) {
      const e = emit[row + s]!;
      if (e > 0) total += (alpha[row + s]! * beta[row + s]!) / e;
    }
    if (!(total > 0)) return ctcOneLogSpace(lp, time, vocab, target, blank);
    for (let s = 0; s < states; s++) {
      const e = emit[row + s]!;
      if (e > 0) grad[t * vocab + label[s]!]! -= (alpha[row + s]! * beta[row + s]!) / e / total;
    }
  }
  return { loss: -logLikelihood, grad };
}

/** The same in log space: slower, and never loses a path to underflow (the reference). */
export function ctcOneLogSpace(
  lp: Float32Array,
  time: number,
  vocab: number,
  target: readonly number[],
  blank: number,
) {
  const states = 2 * target.length + 1;
  const label = (s: number) => (s % 2 === 0 ? blank : target[(s - 1) >> 1]!);
  const skip = (s: number) => s % 2 === 1 && s >= 3 && label(s) !== label(s - 2);
  const alpha = new Float64Array(time * states).fill(NEG);
  const beta = new Float64Array(time * states).fill(NEG);
  alpha[0] = lp[blank]!;
  if (states > 1) alpha[1] = lp[label(1)]!;
  for (let t = 1; t < time; t++) {
    for (let s = 0; s < states; s++) {
      let a = alpha[(t - 1) * states + s]!;
      if (s >= 1) a = logAdd(a, alpha[(t - 1) * states + s - 1]!);
      if (skip(s)) a = logAdd(a, alpha[(t - 1) * states + s - 2]!);
      alpha[t * states + s] = a === NEG ? NEG : a + lp[t * vocab + label(s)]!;
    }
  }
  const last = (time - 1) * states;
  beta[last + states - 1] = lp[(time - 1) * vocab + label(states - 1)]!;
  if (states > 1) beta[last + states - 2] = lp[(time - 1) * vocab + label(states - 2)]!;
  for (let t = time - 2; t >= 0; t--) {
    for (let s = 0; s < states; s++) {
      let b = beta[(t + 1) * states + s]!;
      if (s + 1 < states) b = logAdd(b, beta[(t + 1) * states + s + 1]!);
      if (s + 2 < states && skip(s + 2)) b = logAdd(b, beta[(t + 1) * states + s + 2]!);
      beta[t * states + s] = b === NEG ? NEG : b + lp[t * vocab + label(s)]!;
    }
  }
  const logLikelihood = logAdd(
    alpha[last + states - 1]!,
    states > 1 ? alpha[last + states - 2]! : NEG,
  );
  const grad = new Float32Array(time * vocab);
  if (logLikelihood === NEG) return { loss: Number.POSITIVE_INFINITY, grad };
  for (let t = 0; t < time; t++) {
    for (let s = 0; s < states; s++) {
      const both = alpha[t * states + s]! + beta[t * states + s]!;
      if (both === NEG) continue;
      // α and β both include the emission at t: divide it out once.
      grad[t * vocab + label(s)]! -= Math.exp(both - lp[t * vocab + label(s)]! - logLikelihood);
    }
  }
  return { loss: -logLikelihood, grad };
}

/** log p_ctc(target | x) of one utterance from its [T, V] log-probabilities (no gradient). */
export function ctcLogLikelihood(
  lp: Float32Array,
  time: number,
  vocab: number,
  target: readonly number[],
  blank = 0,
): number {
  return -ctcOne(lp, time, vocab, target, blank).loss;
}

/**
 * Connectionist temporal classification loss, blank id 0 by default: the mean over the batch of
 * -log p(y | x) / |y|; an utterance too short for its target counts as 0. Computed by
 * forward-backward with an exact gradient (a custom gradient, so autodiff does not unroll T steps
 * of tensor ops): on the GPU where the backend has the kernels (ctc-webgpu.ts), else on the CPU.
 *   logProbs [B, T, V] (log-softmax), inputLengths [B], targets [B][L]
 */
export function ctcLoss(
  logProbs: tf.Tensor3D,
  inputLengths: readonly number[],
  targets: readonly (readonly number[])[],
  blank = 0,
): tf.Scalar {
  const onDevice = ctcOnDevice(Math.max(0, ...targets.map((t) => t.length)));
  const compute = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor3D;
    const save = args[1] as tf.GradSaveFunc;
    const { loss, grad } = onDevice
      ? ctcLossAndGradOnDevice(x, inputLengths, targets, blank)
      : ctcLossAndGradOnHost(x, inputLengths, targets, blank);
    save([grad]);
    return { value: loss, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved[0]!.mul(dy) };
  });
  return compute(logProbs) as tf.Scalar;
}

/** ctcLoss's value and gradient by ctcOne, utterance by utterance, on the CPU side. */
function ctcLossAndGradOnHost(
  x: tf.Tensor3D,
  inputLengths: readonly number[],
  targets: readonly (readonly number[])[],
  blank: number,
): { loss: tf.Scalar; grad: tf.Tensor3D } {
  const [batch, time, vocab] = x.shape;
  const values = x.dataSync() as Float32Array;
  const grads = new Float32Array(values.length);
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const frames = Math.min(time, inputLengths[b]!);
    const scale = 1 / (Math.max(1, targets[b]!.length) * batch);
    const one = ctcOne(
      values.subarray(b * time * vocab, (b * time + frames) * vocab),
      frames,
      vocab,
      targets[b]!,
      blank,
    );
    // A target the frames cannot fit (fast speech after ×4 subsampling) has p = 0: it adds
    // nothing, loss or gradient, instead of turning the batch loss into ∞ (zero_infinity).
    if (Number.isFinite(one.loss)) total += one.loss * scale;
    for (let i = 0; i < one.grad.length; i++) grads[b * time * vocab + i] = one.grad[i]! * scale;
  }
  return { loss: tf.scalar(total), grad: tf.tensor3d(grads, x.shape) };
}
