import {
  MASKED_SOFTMAX_KERNEL,
  type MaskedSoftmaxAttrs as MaskAttrs,
  SOFTMAX_GRAD_KERNEL,
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

/**
 * softmax(scale · scores) over the last axis of attention scores ([B, Tq, Tk] or [B, H, Tq, Tk])
 * where a keep-mask ([B, Tk], or [B|1, Tq, Tk]) gives masked keys exactly 0 weight, and a row with
 * none kept all zeros — maskedSoftmax's values as one kernel forward and one backward. As tfjs ops
 * that is ~6 kernels forward (scale, cast, 1 − keep, × −1e9, +, softmax, × keep) and ~7 backward,
 * in every attention of every layer; a beam step of the ASR decoder runs four. `scale` (> 0) is
 * dot-product attention's 1/√d, folded in. Returns undefined where the backend has no kernel
 * (wasm) or the scores need more rows than one WebGPU dispatch takes.
 */
export function fusedMaskedSoftmax(
  scores: tf.Tensor,
  mask?: tf.Tensor,
  scale = 1,
): tf.Tensor | undefined {
  if (!hasKernel(FORWARD) || scores.rank < 2 || scores.rank > 4 || !fitsRowDispatch(scores))
    return undefined;
  const heads = scores.rank === 4 ? scores.shape[1]! : 1;
  const queries = scores.rank >= 3 ? scores.shape.at(-2)! : 1;
  // The mask as [Bm, Qm, Tk]: a [B, Tk] mask is one row per item, a [1, Tq, Tk] one is shared.
  // toFloat() on a float mask is still a kernel: one per attention call of every decoder step.
  const keep = mask && (mask.dtype === 'float32' ? mask : mask.toFloat());
  const maskBatch = keep ? (keep.rank === 2 ? keep.shape[0]! : keep.shape.at(-3)!) : 1;
  const maskQueries = keep && keep.rank >= 3 ? keep.shape.at(-2)! : 1;
  const attrs: MaskAttrs = { heads, queries, maskBatch, maskQueries, scale };
  const keepShape = keep ? [...keep.shape] : [];
  return runKernel(FORWARD, keep ? { scores, keep } : { scores }, { ...attrs, keepShape });
}

/** Backward of any softmax(scale · x) (masked entries have weight 0): scale·w·(dw − Σ w·dw). */
export const SOFTMAX_GRAD = SOFTMAX_GRAD_KERNEL;
const FORWARD = MASKED_SOFTMAX_KERNEL;

// A registered gradient rather than tf.customGrad: no scope, saved list and closure per call
// (3-4 µs of a 10 µs kernel in a beam step). The mask's gradient is zero (it comes from lengths).
tf.registerGradient({
  kernelName: FORWARD,
  outputsToSave: [true],
  gradFunc: (dy, saved, attrs) => {
    const [weights] = saved as [tf.Tensor];
    const { scale, keepShape } = attrs as unknown as MaskAttrs & { keepShape: number[] };
    return {
      scores: () => runKernel(SOFTMAX_GRAD, { w: weights, dw: dy as tf.Tensor }, { scale }),
      keep: () => tf.zeros(keepShape),
    };
  },
});

/** Row of the [Bm, Qm, Tk] mask that row `row` of the [B, H, Q, Tk] scores uses. */
function maskRow(row: number, a: MaskAttrs): number {
  const item = Math.floor(row / (a.heads * a.queries));
  return (
    (a.maskBatch === 1 ? 0 : item) * a.maskQueries + (a.maskQueries === 1 ? 0 : row % a.queries)
  );
}

registerTypedArrayKernel(FORWARD, ({ scores: s, keep }, { scores }, attrs) => {
  const a = attrs as unknown as MaskAttrs;
  const tk = scores!.shape.at(-1)!;
  const scale = a.scale ?? 1;
  const out = new Float32Array(s!.length);
  for (let row = 0; row * tk < s!.length; row++) {
    const base = row * tk;
    const mask = keep ? maskRow(row, a) * tk : -1;
    let best = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < tk; t++)
      if (mask < 0 || keep![mask + t]! > 0.5) best = Math.max(best, s![base + t]!);
    let total = 0;
    for (let t = 0; t < tk; t++) {
      const e = mask < 0 || keep![mask + t]! > 0.5 ? Math.exp(scale * (s![base + t]! - best)) : 0;
      out[base + t] = e;
      total += e;
    }
    if (total > 0) for (let t = 0; t < tk; t++) out[base + t]! /= total;
  }
  return { values: out, shape: [...scores!.shape] };
});

registerTypedArrayKernel(SOFTMAX_GRAD, ({ w, dw }, { w: info }, attrs) => {
  const tk = info!.shape.at(-1)!;
  const scale = (attrs as { scale?: number }).scale ?? 1;
  const out = new Float32Array(w!.length);
  for (let base = 0; base < w!.length; base += tk) {
    let dot = 0;
    for (let t = 0; t < tk; t++) dot += w![base + t]! * dw![base + t]!;
    for (let t = 0; t < tk; t++) out[base + t] = scale * w![base + t]! * (dw![base + t]! - dot);
  }
  return { values: out, shape: [...info!.shape] };
});

/**
 * WGSL for a RowProgram whose row of scores is already in `result[row * tk ...]` (and `tk` is
 * defined): replaces it by its softmax over the keys for which `kept(t)` holds (all without it);
 * masked keys get 0, and a row with none kept all zeros.
 */
export function softmaxInPlaceWgsl(kept?: (t: string) => string): string {
  return `
  var best = -3.402823e+38;
  for (var t = tid; t < tk; t += WIDTH) {
    ${kept ? `if (${kept('t')}) { best = max(best, result[row * tk + t]); }` : 'best = max(best, result[row * tk + t]);'}
  }
  ${workgroupReduce('best', 'max')}
  var total = 0.0;
  for (var t = tid; t < tk; t += WIDTH) {
    var e = exp(result[row * tk + t] - reduced_best);
    ${kept ? `if (!(${kept('t')})) { e = 0.0; }` : ''}
    result[row * tk + t] = e;
    total += e;
  }
  ${workgroupReduce('total', '+')}
  for (var t = tid; t < tk; t += WIDTH) {
    result[row * tk + t] = select(0.0, result[row * tk + t] / reduced_total, reduced_total > 0.0);
  }`;
}

const forwardBody = (masked: boolean) => `
  let tk = uniforms.tk;
  let item = row / (uniforms.heads * uniforms.queries);
  let maskBase = (select(item, 0, uniforms.maskBatch == 1) * uniforms.maskQueries +
      select(row % uniforms.queries, 0, uniforms.maskQueries == 1)) * tk;
  for (var t = tid; t < tk; t += WIDTH) { result[row * tk + t] = uniforms.scale * scores[row * tk + t]; }
  ${softmaxInPlaceWgsl(masked ? (t) => `keep[maskBase + ${t}] > 0.5` : undefined)}`;

const softmaxGradBody = `
  let tk = uniforms.tk;
  var dot = 0.0;
  for (var t = tid; t < tk; t += WIDTH) { dot += w[row * tk + t] * dw[row * tk + t]; }
  ${workgroupReduce('dot', '+')}
  for (var t = tid; t < tk; t += WIDTH) {
    result[row * tk + t] = uniforms.scale * w[row * tk + t] * (dw[row * tk + t] - reduced_dot);
  }`;

registerWebGpuKernel(FORWARD, ({ backend, inputs, attrs }) => {
  const a = attrs as unknown as MaskAttrs;
  const scores = inputs.scores!;
  const tk = scores.shape.at(-1)!;
  const rows = scores.shape.reduce((x, y) => x * y, 1) / tk;
  const masked = inputs.keep !== undefined;
  const names = masked ? ['scores', 'keep'] : ['scores'];
  const program = new RowProgram(
    `attendMaskedSoftmax${masked ? 'Masked' : ''}`,
    names,
    [...scores.shape],
    rows,
    forwardBody(masked),
    'tk : i32, heads : i32, queries : i32, maskBatch : i32, maskQueries : i32, scale : f32,',
  );
  return runProgram(
    backend,
    program,
    names.map((n) => inputs[n]!),
    [
      ...[tk, a.heads, a.queries, a.maskBatch, a.maskQueries].map((v) => ({
        type: 'int32' as const,
        data: [v],
      })),
      { type: 'float32' as const, data: [a.scale ?? 1] },
    ],
  );
});

registerWebGpuKernel(SOFTMAX_GRAD, ({ backend, inputs, attrs }) => {
  const w = inputs.w!;
  const tk = w.shape.at(-1)!;
  const rows = w.shape.reduce((x, y) => x * y, 1) / tk;
  const program = new RowProgram(
    'attendSoftmaxGrad',
    ['w', 'dw'],
    [...w.shape],
    rows,
    softmaxGradBody,
    'tk : i32, scale : f32,',
  );
  const scale = (attrs as { scale?: number }).scale ?? 1;
  return runProgram(
    backend,
    program,
    [w, inputs.dw!],
    [
      { type: 'int32', data: [tk] },
      { type: 'float32', data: [scale] },
    ],
  );
});
