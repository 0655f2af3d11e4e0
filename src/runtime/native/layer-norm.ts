import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import {
  LAYER_NORM_GRAD_X_KERNEL,
  LAYER_NORM_KERNEL,
  LAYER_NORM_NORMALISED_KERNEL,
} from '../kernel-names.js';
import type { NativeBackend } from './backend.js';

/** The three layer-norm kernels of src/nn/layer-norm.ts in C: forward, normalised rows, dx. */
function layerNormKernel(name: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, gain, bias, dy } = inputs as Record<string, TensorInfo | undefined>;
    const native = backend as NativeBackend;
    const out = new Float32Array(util.sizeFromShape(x!.shape));
    const floats = (info: TensorInfo | undefined) => (info ? native.floats(info) : null);
    const op = name === LAYER_NORM_GRAD_X_KERNEL ? 1 : 0;
    const withAffine = name === LAYER_NORM_KERNEL;
    if (out.length > 0)
      native.addon.layerNorm(
        op,
        native.floats(x!),
        op === 1 || withAffine ? floats(gain) : null,
        withAffine ? floats(bias) : null,
        op === 1 ? floats(dy) : null,
        out,
        x!.shape.at(-1) ?? 1,
        (attrs as { epsilon: number }).epsilon,
      );
    return native.makeTensorInfo([...x!.shape], 'float32', out);
  };
}

export const layerNormKernels = (backendName: string): KernelConfig[] =>
  [LAYER_NORM_KERNEL, LAYER_NORM_NORMALISED_KERNEL, LAYER_NORM_GRAD_X_KERNEL].map((kernelName) => ({
    kernelName,
    backendName,
    kernelFunc: layerNormKernel(kernelName),
  }));
