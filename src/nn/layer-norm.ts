import {
  LAYER_NORM_GRAD_X_KERNEL,
  LAYER_NORM_KERNEL,
  LAYER_NORM_NORMALISED_KERNEL,
} from '../runtime/kernel-names.js';
import { tf } from '../runtime/tf.js';
import {
  fitsRowDispatch,
  hasKernel,
  RowProgram,
  registerTypedArrayKernel,
  registerWebGpuKernel,
  runKernel,
  runProgram,
  workgroupReduce,
} from '../runtime/webgpu-kernels.js';

const KERNEL = LAYER_NORM_KERNEL;

/** Normalises each row of the last axis, then gain and bias: one pass, no intermediate tensors. */
registerTypedArrayKernel(KERNEL, ({ x: xs, gain: g, bias: b }, { x }, attrs) => {
  const epsilon = attrs.epsilon as number;
  const dim = x!.shape.at(-1) ?? 1;
  const out = new Float32Array(xs!.length);
  for (let row = 0; row < xs!.length; row += dim) {
    let mean = 0;
    for (let i = 0; i < dim; i++) mean += xs![row + i]!;
    mean /= dim;
    let variance = 0;
    for (let i = 0; i < dim; i++) variance += (xs![row + i]! - mean) ** 2;
    const rstd = 1 / Math.sqrt(variance / dim + epsilon);
    for (let i = 0; i < dim; i++) out[row + i] = (xs![row + i]! - mean) * rstd * g![i]! + b![i]!;
  }
  return { values: out, shape: [...x!.shape] };
});

// On webgpu: a workgroup per row, forward and for the input's gradient; the normalised rows for
// the gain's gradient. (As tfjs ops the forward is ~9 kernels and the gradient ~15: an ASR
// training step runs ~20 layer norms.)
const GRAD_X = LAYER_NORM_GRAD_X_KERNEL;
const NORMALISED = LAYER_NORM_NORMALISED_KERNEL;
/** Each thread's share of the row's mean and variance, reduced over the workgroup. */
const rowMoments = `
  let dim = uniforms.dim;
  let start = row * dim;
  var sum = 0.0;
  for (var i = tid; i < dim; i += WIDTH) { sum += x[start + i]; }
  ${workgroupReduce('sum', '+')}
  let mean = reduced_sum / f32(dim);
  var squares = 0.0;
  for (var i = tid; i < dim; i += WIDTH) { let d = x[start + i] - mean; squares += d * d; }
  ${workgroupReduce('squares', '+')}
  let rstd = inverseSqrt(reduced_squares / f32(dim) + uniforms.epsilon);`;
const WEBGPU_BODIES: Record<string, { inputs: string[]; body: string }> = {
  [KERNEL]: {
    inputs: ['x', 'gain', 'bias'],
    body: `${rowMoments}
      for (var i = tid; i < dim; i += WIDTH) {
        result[start + i] = (x[start + i] - mean) * rstd * gain[i] + bias[i];
      }`,
  },
  [NORMALISED]: {
    inputs: ['x'],
    body: `${rowMoments}
      for (var i = tid; i < dim; i += WIDTH) { result[start + i] = (x[start + i] - mean) * rstd; }`,
  },
  // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)), ĝ = dy·gain.
  [GRAD_X]: {
    inputs: ['x', 'gain', 'dy'],
    body: `${rowMoments}
      var g = 0.0;
      var gx = 0.0;
      for (var i = tid; i < dim; i += WIDTH) {
        let scaled = dy[start + i] * gain[i];
        g += scaled;
        gx += scaled * (x[start + i] - mean) * rstd;
      }
      ${workgroupReduce('g', '+')}
      ${workgroupReduce('gx', '+')}
      let meanG = reduced_g / f32(dim);
      let meanGx = reduced_gx / f32(dim);
      for (var i = tid; i < dim; i += WIDTH) {
        let normalised = (x[start + i] - mean) * rstd;
        result[start + i] = rstd * (dy[start + i] * gain[i] - meanG - normalised * meanGx);
      }`,
  },
};
for (const [name, { inputs: names, body }] of Object.entries(WEBGPU_BODIES)) {
  registerWebGpuKernel(name, ({ backend, inputs, attrs }) => {
    const x = inputs.x!;
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const program = new RowProgram(
      name,
      names,
      [...x.shape],
      rows,
      body,
      'epsilon : f32, dim : i32,',
    );
    const epsilon = (attrs as { epsilon: number }).epsilon;
    return runProgram(
      backend,
      program,
      names.map((n) => inputs[n]!),
      [
        { type: 'float32', data: [epsilon] },
        { type: 'int32', data: [x.shape.at(-1) ?? 1] },
      ],
    );
  });
}

/** True when the current backend has the one-pass kernel. */
export const hasFusedLayerNorm = (): boolean => hasKernel(KERNEL);

function compositeForward(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon: number) {
  const { mean, variance } = tf.moments(x, -1, true);
  return x
    .sub(mean)
    .mul(tf.rsqrt(variance.add(epsilon)))
    .mul(gain)
    .add(bias);
}

/** dx, dgain, dbias of layer norm: our kernels where the backend has them, else tfjs ops. */
function layerNormGrads(
  dy: tf.Tensor,
  x: tf.Tensor,
  gain: tf.Tensor,
  epsilon: number,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  const leading = Array.from({ length: x.rank - 1 }, (_, i) => i);
  if (hasKernel(GRAD_X) && fitsRowDispatch(x)) {
    const normalised = runKernel(NORMALISED, { x }, { epsilon });
    const dx = runKernel(GRAD_X, { x, gain, dy }, { epsilon });
    return [dx, dy.mul(normalised).sum(leading), dy.sum(leading)];
  }
  const { mean, variance } = tf.moments(x, -1, true);
  const rstd = tf.rsqrt(variance.add(epsilon));
  const normalised = x.sub(mean).mul(rstd);
  const scaled = dy.mul(gain);
  const dx = scaled
    .sub(scaled.mean(-1, true))
    .sub(normalised.mul(scaled.mul(normalised).mean(-1, true)))
    .mul(rstd);
  return [dx, dy.mul(normalised).sum(leading), dy.sum(leading)];
}

// The kernel's gradient, registered (no tf.customGrad scope per call: a decoder step runs seven).
tf.registerGradient({
  kernelName: KERNEL,
  inputsToSave: ['x', 'gain'],
  gradFunc: (dy, saved, attrs) => {
    const [x, gain] = saved as [tf.Tensor, tf.Tensor];
    const epsilon = (attrs as unknown as { epsilon: number }).epsilon;
    const [dx, dgain, dbias] = layerNormGrads(dy as tf.Tensor, x, gain, epsilon);
    return { x: () => dx, gain: () => dgain, bias: () => dbias };
  },
});

/**
 * Layer normalisation over the last axis as one kernel forward where the backend has it (about ten
 * kernels fewer per call: a decoder step runs seven of these) with the analytic gradient:
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) where ĝ = dy·gain; dgain = Σ dy·x̂; dbias = Σ dy.
 */
export function fusedLayerNorm(
  x: tf.Tensor,
  gain: tf.Tensor,
  bias: tf.Tensor,
  epsilon: number,
): tf.Tensor {
  if (hasFusedLayerNorm() && fitsRowDispatch(x))
    return runKernel(KERNEL, { x, gain, bias }, { epsilon });
  // wasm has no one-pass kernel: the forward is then the composite ops, the gradient still the
  // analytic one (fewer kernels than differentiating the composite).
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([input, g]);
    return {
      value: compositeForward(input, g, b, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        layerNormGrads(dy, saved[0]!, saved[1]!, epsilon),
    };
  });
  return run(x, gain, bias);
}
