import type { TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from '../runtime/tf.js';
import {
  ElementwiseProgram,
  hasKernel,
  registerWebGpuKernel,
  runKernel,
  runProgram,
  type WebGpuProgram,
  workgroupReduce,
} from '../runtime/webgpu-kernels.js';

/**
 * CTC's forward-backward on the GPU (webgpu backend). The CPU version (ctc.ts) needs the
 * log-probabilities on the host: a read that stalls the GPU mid-step, 8-30 ms of JavaScript on
 * the host of a 100 ms H100 step, and the gradient uploaded back. Here one workgroup per
 * utterance walks the frames in log space (f32; the recursion is a chain over frames, the states
 * of a frame run in parallel), and a second kernel turns the label posteriors into the gradient.
 */

const POSTERIORS = 'AttendCtcPosteriors';
const LABEL_GRAD = 'AttendCtcLabelGrad';
/** Threads per utterance. */
const WIDTH = 256;
/** States one workgroup holds (two rows of workgroup memory, 8 KiB): targets of ≤ 511 labels. */
export const MAX_CTC_STATES = 1024;
/** log 0 in f32 (an actual -inf would turn max/exp arithmetic into NaN). */
const NEG = -1e30;

const LOG_WGSL = `
  const NEG = ${NEG.toExponential()};
  fn lse2(a : f32, b : f32) -> f32 {
    let m = max(a, b);
    if (m <= NEG * 0.1) { return NEG; }
    return m + log(exp(a - m) + exp(b - m));
  }
  fn ctcLabel(b : i32, s : i32) -> i32 {
    if (s % 2 == 0) { return uniforms.blank; }
    return targets[b * uniforms.maxLabels + (s - 1) / 2];
  }
  // A label state may be reached from two states back unless it repeats that label.
  fn ctcSkip(b : i32, s : i32) -> bool {
    return s % 2 == 1 && s >= 3 && ctcLabel(b, s) != ctcLabel(b, s - 2);
  }`;

/**
 * lp [B, T, V] log-probabilities, targets [B, L] int32 (padded), lengths [B, 2] int32 (frames,
 * labels) -> [B, T + 1, S]: rows 0..T-1 hold the posteriors γ_t(s) of the extended labels
 * (0 outside the utterance), row T holds log p(target | x) in column 0 (≤ -1e29: impossible).
 */
class CtcPosteriorsProgram implements WebGpuProgram {
  readonly variableNames = ['lp', 'targets', 'lengths'];
  readonly workgroupSize: [number, number, number] = [WIDTH, 1, 1];
  readonly size = true;
  readonly shaderKey = 'attendCtcPosteriors';
  readonly uniforms = 'time : i32, vocab : i32, states : i32, maxLabels : i32, blank : i32,';
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  constructor(readonly outputShape: number[]) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [outputShape[0]!, 1, 1];
  }
  getUserCode(): string {
    // Loops run to the batch's largest T and S (uniforms) so that every thread reaches every
    // barrier; work outside this utterance's frames and states is skipped inside them. Each
    // frame's row is shifted by a constant (α by its max, β by the max of α + β - emission) so
    // f32 keeps its precision over hundreds of frames (unshifted, log α reaches -1000 and γ lost
    // 3 digits); the shifts cancel when γ is normalised per frame, and α's add up to log p.
    return `${LOG_WGSL}
      const WIDTH = ${WIDTH};
      const ROW = ${MAX_CTC_STATES};
      var<workgroup> rows : array<f32, ${2 * MAX_CTC_STATES}>;
      var<workgroup> buf : array<f32, WIDTH>;
      fn main(index : i32) {
        let b = index / WIDTH;
        let tid = i32(localId.x);
        let T = uniforms.time;
        let S = uniforms.states;
        let V = uniforms.vocab;
        let frames = lengths[b * 2];
        let states = 2 * lengths[b * 2 + 1] + 1;
        let out = b * (T + 1) * S;
        var logScale = 0.0;
        var alive = frames > 0;
        var ll = NEG;
        for (var t = 0; t < T; t++) {
          let cur = (t % 2) * ROW;
          let prev = ROW - cur;
          var rowMax = NEG;
          for (var s = tid; s < S; s += WIDTH) {
            var a = NEG;
            if (t < frames && s < states) {
              let e = lp[(b * T + t) * V + ctcLabel(b, s)];
              if (t == 0) {
                if (s < 2) { a = e; }
              } else {
                var x = rows[prev + s];
                if (s >= 1) { x = lse2(x, rows[prev + s - 1]); }
                if (ctcSkip(b, s)) { x = lse2(x, rows[prev + s - 2]); }
                if (x > NEG * 0.1) { a = x + e; }
              }
            }
            rows[cur + s] = a;
            rowMax = max(rowMax, a);
          }
          ${workgroupReduce('rowMax', 'max')}
          let shift = select(0.0, reduced_rowMax, reduced_rowMax > NEG * 0.1);
          for (var s = tid; s < S; s += WIDTH) {
            let a = rows[cur + s];
            let shifted = select(NEG, a - shift, a > NEG * 0.1);
            rows[cur + s] = shifted;
            result[out + t * S + s] = shifted;
          }
          if (t < frames) {
            logScale += shift;
            if (reduced_rowMax <= NEG * 0.1) { alive = false; }
          }
          workgroupBarrier();
          if (t == frames - 1) {
            var end = rows[cur + states - 1];
            if (states > 1) { end = lse2(end, rows[cur + states - 2]); }
            if (alive && end > NEG * 0.1) { ll = logScale + end; }
          }
        }
        workgroupBarrier();
        // β (emission included) backwards; γ_t(s) ∝ exp(α + β - emission), summing to 1 per
        // frame. Each thread reads back only the α it wrote itself.
        for (var k = 0; k < T; k++) {
          let t = T - 1 - k;
          let cur = (k % 2) * ROW;
          let prev = ROW - cur;
          let live = ll > NEG * 0.1 && t < frames;
          var qMax = NEG;
          for (var s = tid; s < S; s += WIDTH) {
            var bt = NEG;
            var q = NEG;
            if (live && s < states) {
              let e = lp[(b * T + t) * V + ctcLabel(b, s)];
              if (t == frames - 1) {
                if (s >= states - 2) { bt = e; }
              } else {
                var x = rows[prev + s];
                if (s + 1 < states) { x = lse2(x, rows[prev + s + 1]); }
                if (s + 2 < states && ctcSkip(b, s + 2)) { x = lse2(x, rows[prev + s + 2]); }
                if (x > NEG * 0.1) { bt = x + e; }
              }
              let a = result[out + t * S + s];
              if (a > NEG * 0.1 && bt > NEG * 0.1) { q = a + bt - e; }
            }
            rows[cur + s] = bt;
            result[out + t * S + s] = q;
            qMax = max(qMax, q);
          }
          ${workgroupReduce('qMax', 'max')}
          var qSum = 0.0;
          for (var s = tid; s < S; s += WIDTH) {
            let bt = rows[cur + s];
            rows[cur + s] = select(NEG, bt - reduced_qMax, bt > NEG * 0.1);
            let q = result[out + t * S + s];
            let p = select(0.0, exp(q - reduced_qMax), q > NEG * 0.1);
            result[out + t * S + s] = p;
            qSum += p;
          }
          ${workgroupReduce('qSum', '+')}
          for (var s = tid; s < S; s += WIDTH) {
            if (reduced_qSum > 0.0) { result[out + t * S + s] = result[out + t * S + s] / reduced_qSum; }
          }
          workgroupBarrier();
        }
        for (var s = tid; s < S; s += WIDTH) {
          result[out + T * S + s] = select(0.0, ll, s == 0);
        }
      }`;
  }
}

/**
 * posteriors [B, T + 1, S], targets, lengths -> the loss's gradient for lp [B, T, V]:
 * -Σ_{s: label(s) = v} γ_t(s), scaled as the loss is (1 / (labels · B)); 0 for an utterance
 * whose target cannot fit its frames (zero_infinity).
 */
const LABEL_GRAD_WGSL = `
  let V = uniforms.vocab;
  let T = uniforms.time;
  let S = uniforms.states;
  let v = index % V;
  let t = (index / V) % T;
  let b = index / (V * T);
  let labels = lengths[b * 2 + 1];
  let row = b * (T + 1) * S;
  var acc = 0.0;
  if (t < lengths[b * 2] && posteriors[row + T * S] > ${NEG / 10}) {
    if (v == uniforms.blank) {
      for (var j = 0; j <= labels; j++) { acc += posteriors[row + t * S + 2 * j]; }
    }
    for (var j = 0; j < labels; j++) {
      if (targets[b * uniforms.maxLabels + j] == v) { acc += posteriors[row + t * S + 2 * j + 1]; }
    }
  }
  result[index] = -acc / (f32(max(labels, 1)) * f32(uniforms.batch));`;

const UNIFORMS =
  'time : i32, vocab : i32, states : i32, maxLabels : i32, blank : i32, batch : i32,';

/** Both kernels' attributes: S (2·longest target + 1), the blank's id, V. */
interface CtcAttrs {
  states: number;
  blank: number;
  vocab: number;
}

registerWebGpuKernel(POSTERIORS, ({ backend, inputs, attrs }) => {
  const { lp, targets, lengths } = inputs as Record<string, TensorInfo>;
  const { states, blank } = attrs as unknown as CtcAttrs;
  const [batch, time, vocab] = lp!.shape as [number, number, number];
  const program = new CtcPosteriorsProgram([batch, time + 1, states]);
  const uniforms = [time, vocab, states, targets!.shape[1]!, blank];
  return runProgram(
    backend,
    program,
    [lp!, targets!, lengths!],
    uniforms.map((value) => ({ type: 'int32', data: [value] })),
  );
});

registerWebGpuKernel(LABEL_GRAD, ({ backend, inputs, attrs }) => {
  const { posteriors, targets, lengths } = inputs as Record<string, TensorInfo>;
  const { states, blank, vocab } = attrs as unknown as CtcAttrs;
  const [batch, rows] = posteriors!.shape as [number, number];
  const time = rows - 1;
  const program = new ElementwiseProgram(
    'attendCtcLabelGrad',
    ['posteriors', 'targets', 'lengths'],
    [batch, time, vocab],
    LABEL_GRAD_WGSL,
    UNIFORMS,
  );
  const uniforms = [time, vocab, states, targets!.shape[1]!, blank, batch];
  return runProgram(
    backend,
    program,
    [posteriors!, targets!, lengths!],
    uniforms.map((value) => ({ type: 'int32', data: [value] })),
  );
});

/** Whether ctcLoss can run on the device for targets of at most `maxLabels` labels. */
export const ctcOnDevice = (maxLabels: number): boolean =>
  hasKernel(POSTERIORS) && 2 * maxLabels + 1 <= MAX_CTC_STATES;

/**
 * The CTC loss (mean over the batch of -log p(y | x) / |y|, 0 for a target that cannot fit) and
 * its gradient for logProbs, both left on the device.
 */
export function ctcLossAndGradOnDevice(
  logProbs: tf.Tensor3D,
  inputLengths: readonly number[],
  targetLists: readonly (readonly number[])[],
  blank: number,
): { loss: tf.Scalar; grad: tf.Tensor3D } {
  return tf.tidy(() => {
    const [batch, time] = logProbs.shape;
    const maxLabels = Math.max(1, ...targetLists.map((t) => t.length));
    const states = 2 * maxLabels + 1;
    const padded = new Int32Array(batch * maxLabels);
    targetLists.forEach((target, b) => {
      padded.set(target, b * maxLabels);
    });
    const targets = tf.tensor2d(padded, [batch, maxLabels], 'int32');
    const lengths = tf.tensor2d(
      targetLists.flatMap((target, b) => [Math.min(time, inputLengths[b]!), target.length]),
      [batch, 2],
      'int32',
    );
    const attrs: CtcAttrs = { states, blank, vocab: logProbs.shape[2] };
    const posteriors = runKernel(POSTERIORS, { lp: logProbs, targets, lengths }, { ...attrs });
    const grad = runKernel(
      LABEL_GRAD,
      { posteriors, targets, lengths },
      { ...attrs },
    ) as tf.Tensor3D;
    const logLikelihood = posteriors.slice([0, time, 0], [batch, 1, 1]).reshape([batch]);
    const scale = tf.tensor1d(targetLists.map((t) => 1 / (Math.max(1, t.length) * batch)));
    const fits = logLikelihood.greater(NEG * 0.1);
    const loss = tf
      .where(fits, logLikelihood, tf.zerosLike(logLikelihood))
      .mul(scale)
      .sum()
      .neg() as tf.Scalar;
    return { loss, grad };
  });
}
