import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import {
  ADDITIVE_KEY_GRAD_KERNEL,
  ADDITIVE_V_GRAD_KERNEL,
  ADDITIVE_WEIGHTS_KERNEL,
  MASKED_SOFTMAX_KERNEL,
  type MaskedSoftmaxAttrs,
  SOFTMAX_GRAD_KERNEL,
  STEP_ATTENTION_KERNEL,
} from '../kernel-names.js';
import type { NativeBackend } from './backend.js';

/** Attention's masked, scaled softmax in C (src/attention/softmax-fused.ts has the contract). */
const maskedSoftmax: KernelFunc = ({ inputs, backend, attrs }) => {
  const { scores, keep } = inputs as { scores: TensorInfo; keep?: TensorInfo };
  const a = attrs as unknown as MaskedSoftmaxAttrs;
  const native = backend as NativeBackend;
  const cols = scores.shape.at(-1) ?? 1;
  const out = new Float32Array(util.sizeFromShape(scores.shape));
  if (out.length > 0) {
    const dims = Int32Array.of(
      out.length / cols,
      cols,
      a.heads,
      a.queries,
      keep ? a.maskBatch : 1,
      keep ? a.maskQueries : 1,
    );
    const mask = keep ? native.floats(keep) : null;
    native.addon.maskedSoftmax(native.floats(scores), mask, out, dims, a.scale ?? 1);
  }
  return native.makeTensorInfo([...scores.shape], 'float32', out);
};

const softmaxGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { w, dw } = inputs as { w: TensorInfo; dw: TensorInfo };
  const native = backend as NativeBackend;
  const cols = w.shape.at(-1) ?? 1;
  const out = new Float32Array(util.sizeFromShape(w.shape));
  if (out.length > 0) {
    const scale = (attrs as { scale?: number }).scale ?? 1;
    native.addon.softmaxGrad(
      native.floats(w),
      native.floats(dw),
      out,
      out.length / cols,
      cols,
      scale,
    );
  }
  return native.makeTensorInfo([...w.shape], 'float32', out);
};

/** One query position's multi-head attention (src/attention/step-attention.ts). */
const stepAttention: KernelFunc = ({ inputs, backend, attrs }) => {
  const { q, k, v, keep } = inputs as Record<string, TensorInfo>;
  const native = backend as NativeBackend;
  const [batch, heads, , depth] = q!.shape as [number, number, number, number];
  const keys = k!.shape[2]!;
  const context = new Float32Array(batch * heads * depth);
  const weights = new Float32Array(batch * heads * keys);
  if (context.length > 0)
    native.addon.stepAttention(
      native.floats(q!),
      native.floats(k!),
      native.floats(v!),
      keep ? native.floats(keep) : null,
      context,
      weights,
      Int32Array.of(batch, heads, keys, depth, keep ? keep.shape[0]! : 1),
      (attrs as { scale: number }).scale,
    );
  return [
    native.makeTensorInfo([batch, 1, heads * depth], 'float32', context),
    native.makeTensorInfo([batch, heads, 1, keys], 'float32', weights),
  ];
};

/** Additive attention's weights and gradients (src/attention/additive-fused.ts). */
const additive =
  (op: 0 | 1 | 2): KernelFunc =>
  ({ inputs, backend }) => {
    const { q, k, v, keep, ds } = inputs as Record<string, TensorInfo | undefined>;
    const native = backend as NativeBackend;
    const [batch, keys, units] = k!.shape as [number, number, number];
    const shape = op === 0 ? [batch, keys] : op === 1 ? [batch, keys, units] : [units];
    const out = new Float32Array(util.sizeFromShape(shape));
    if (out.length > 0)
      native.addon.additive(
        op,
        native.floats(q!),
        native.floats(k!),
        v ? native.floats(v) : null,
        keep ? native.floats(keep) : null,
        ds ? native.floats(ds) : null,
        out,
        Int32Array.of(batch, keys, units),
      );
    return native.makeTensorInfo(shape, 'float32', out);
  };

export const attentionKernels = (backendName: string): KernelConfig[] => [
  { kernelName: ADDITIVE_WEIGHTS_KERNEL, backendName, kernelFunc: additive(0) },
  { kernelName: ADDITIVE_KEY_GRAD_KERNEL, backendName, kernelFunc: additive(1) },
  { kernelName: ADDITIVE_V_GRAD_KERNEL, backendName, kernelFunc: additive(2) },
  { kernelName: MASKED_SOFTMAX_KERNEL, backendName, kernelFunc: maskedSoftmax },
  { kernelName: SOFTMAX_GRAD_KERNEL, backendName, kernelFunc: softmaxGrad },
  { kernelName: STEP_ATTENTION_KERNEL, backendName, kernelFunc: stepAttention },
];
