import {
  ADDITIVE_KEY_GRAD_KERNEL,
  ADDITIVE_V_GRAD_KERNEL,
  ADDITIVE_WEIGHTS_KERNEL,
} from '../runtime/kernel-names.js';
import { tf } from '../runtime/tf.js';
import {
  ElementwiseProgram,
  hasKernel,
  RowProgram,
  registerWebGpuKernel,
  runKernel,
  runProgram,
  workgroupReduce,
} from '../runtime/webgpu-kernels.js';
import { maskedSoftmax } from './masking.js';
import { SOFTMAX_GRAD, softmaxInPlaceWgsl } from './softmax-fused.js';

/**
 * Additive (Bahdanau) attention weights for one query per item:
 *   w[b, t] = masked softmax over t of  Σₐ v[a] · tanh(q[b, a] + k[b, t, a]).
 * As tfjs ops that is ~9 kernels forward and ~15 backward, once per decoded token; on webgpu and
 * native it is one kernel forward (on webgpu a workgroup per item: scores, mask, softmax) and four
 * backward (native/src/additive.c). Other backends run the tfjs ops. `keep` ([B, Tk], 1 = attend)
 * is optional.
 */
export function additiveWeights(
  query: tf.Tensor2D, // [B, A], the projected query
  keys: tf.Tensor3D, // [B, Tk, A], the projected keys
  v: tf.Tensor1D, // [A]
  keep?: tf.Tensor2D,
): tf.Tensor2D {
  // The kernels read one row of keys per query row: keys shared by broadcasting go the long way.
  if (!hasKernel(FORWARD) || query.shape[0] !== keys.shape[0])
    return composite(query, keys, v, keep);
  const mask = keep?.toFloat();
  const fused = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [q, k, vv, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const weights = runKernel(FORWARD, mask ? { q, k, v: vv, keep: mask } : { q, k, v: vv });
    save([q, k, vv, weights]);
    return {
      value: weights,
      gradFunc: (dw, saved) => {
        const [sq, sk, sv, sw] = saved as tf.Tensor[];
        const ds = runKernel(SOFTMAX_GRAD, { w: sw!, dw: dw as tf.Tensor });
        const dk = runKernel(KEY_GRAD, { q: sq!, k: sk!, v: sv!, ds });
        return [dk.sum(1), dk, runKernel(V_GRAD, { q: sq!, k: sk!, ds })];
      },
    };
  });
  return fused(query, keys, v) as tf.Tensor2D;
}

/** The same weights as tfjs ops (the backends without the kernels). */
function composite(
  query: tf.Tensor2D,
  keys: tf.Tensor3D,
  v: tf.Tensor1D,
  keep?: tf.Tensor2D,
): tf.Tensor2D {
  const [b, tk, a] = keys.shape;
  const energy = tf.tanh(query.expandDims(1).add(keys)); // [B, Tk, A]
  const scores = tf.matMul(energy.reshape([b * tk, a]), v.reshape([a, 1])).reshape([b, 1, tk]);
  return maskedSoftmax(scores, keep).reshape([b, tk]) as tf.Tensor2D;
}

const FORWARD = ADDITIVE_WEIGHTS_KERNEL;
const KEY_GRAD = ADDITIVE_KEY_GRAD_KERNEL;
const V_GRAD = ADDITIVE_V_GRAD_KERNEL;

const forwardBody = (masked: boolean) => `
  let tk = uniforms.kShape[1];
  let a = uniforms.kShape[2];
  for (var t = tid; t < tk; t += WIDTH) {
    var s = 0.0;
    for (var j = 0; j < a; j++) {
      s += v[j] * attendTanh(q[row * a + j] + k[(row * tk + t) * a + j]);
    }
    result[row * tk + t] = s;
  }
  ${softmaxInPlaceWgsl(masked ? (t) => `keep[row * tk + ${t}] > 0.5` : undefined)}`;

// dk[b, t, a] = ds[b, t] · v[a] · (1 − tanh²(q[b, a] + k[b, t, a])); dq is its sum over t.
const keyGradBody = `
  let tk = uniforms.kShape[1];
  let a = uniforms.kShape[2];
  let j = index % a;
  let bt = index / a;
  let e = attendTanh(q[(bt / tk) * a + j] + k[index]);
  result[index] = ds[bt] * v[j] * (1.0 - e * e);`;

// dv[a] = Σ_b Σ_t ds[b, t] · tanh(q[b, a] + k[b, t, a]): a workgroup per a, its threads taking
// every WIDTH-th (b, t) (one thread per a walking all B·Tk took 0.7 ms a call on an H100).
const vGradBody = `
  let tk = uniforms.kShape[1];
  let a = uniforms.kShape[2];
  let n = uniforms.kShape[0] * tk;
  var part = 0.0;
  for (var i = tid; i < n; i += WIDTH) {
    part += ds[i] * attendTanh(q[(i / tk) * a + row] + k[i * a + row]);
  }
  ${workgroupReduce('part', '+')}
  if (tid == 0) { result[row] = reduced_part; }`;

registerWebGpuKernel(FORWARD, ({ backend, inputs }) => {
  const masked = inputs.keep !== undefined;
  const names = masked ? ['q', 'k', 'v', 'keep'] : ['q', 'k', 'v'];
  const [b, tk] = inputs.k!.shape;
  const program = new RowProgram(
    `attendAdditiveWeights${masked ? 'Masked' : ''}`,
    names,
    [b!, tk!],
    b!,
    forwardBody(masked),
  );
  return runProgram(
    backend,
    program,
    names.map((n) => inputs[n]!),
  );
});

registerWebGpuKernel(KEY_GRAD, ({ backend, inputs }) => {
  const names = ['q', 'k', 'v', 'ds'];
  const program = new ElementwiseProgram(
    'attendAdditiveKeyGrad',
    names,
    [...inputs.k!.shape],
    keyGradBody,
  );
  return runProgram(
    backend,
    program,
    names.map((n) => inputs[n]!),
  );
});

registerWebGpuKernel(V_GRAD, ({ backend, inputs }) => {
  const names = ['q', 'k', 'ds'];
  const units = inputs.k!.shape[2]!;
  const program = new RowProgram('attendAdditiveVGrad', names, [units], units, vGradBody);
  return runProgram(
    backend,
    program,
    names.map((n) => inputs[n]!),
  );
});
