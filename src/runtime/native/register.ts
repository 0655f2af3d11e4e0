import { availableParallelism } from 'node:os';
import '@tensorflow/tfjs-backend-cpu';
import {
  getKernel,
  getKernelsForBackend,
  type KernelConfig,
  registerBackend,
  registerKernel,
  type TensorInfo,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { loadAddon } from './addon.js';
import { attentionKernels } from './attention.js';
import { NATIVE_BACKEND, NativeBackend } from './backend.js';
import { conv2dKernels } from './conv2d.js';
import { copyKernels } from './copies.js';
import { depthwiseKernels } from './depthwise.js';
import { binaryKernels } from './elementwise.js';
import { layerNormKernels } from './layer-norm.js';
import { lstmKernels } from './lstm.js';
import { matMulKernels } from './matmul.js';
import { reduceAndUnaryKernels } from './reduce-unary.js';
import { segmentKernels } from './segments.js';

export { NATIVE_BACKEND };

/**
 * Registers the `native` backend: every cpu kernel, then the native overrides on top. Throws
 * BackendUnavailable (with the install-time reason) when the addon was not built.
 */
export function registerNativeBackend(): void {
  const addon = loadAddon();
  // Both cores for sgemm unless the user pinned OpenBLAS themselves.
  if (!process.env.OPENBLAS_NUM_THREADS) addon.setThreads(availableParallelism());
  registerBackend(NATIVE_BACKEND, () => new NativeBackend(addon), 0);
  const overrides = [
    ...matMulKernels(NATIVE_BACKEND),
    ...conv2dKernels(NATIVE_BACKEND),
    ...binaryKernels(NATIVE_BACKEND),
    ...copyKernels(NATIVE_BACKEND),
    ...reduceAndUnaryKernels(NATIVE_BACKEND),
    ...segmentKernels(NATIVE_BACKEND),
    ...attentionKernels(NATIVE_BACKEND),
    ...layerNormKernels(NATIVE_BACKEND),
    ...lstmKernels(NATIVE_BACKEND),
    ...depthwiseKernels(NATIVE_BACKEND),
  ];
  const overridden = new Set(overrides.map((kernel) => kernel.kernelName));
  for (const kernel of getKernelsForBackend('cpu')) {
    if (!overridden.has(kernel.kernelName)) {
      registerKernel({ ...kernel, backendName: NATIVE_BACKEND });
    }
  }
  // attend's own kernels may already have a JS version registered for native (a module that
  // defines one was imported first): the C one replaces it.
  for (const kernel of overrides) {
    if (getKernel(kernel.kernelName, NATIVE_BACKEND))
      unregisterKernel(kernel.kernelName, NATIVE_BACKEND);
    registerKernel(withEmptyFallback(kernel));
  }
}

/**
 * The C kernels take their sizes from the shapes and assume data: a tensor with a 0-length axis
 * goes to the cpu kernel instead, which returns the empty (or identity) result tfjs defines.
 */
function withEmptyFallback(kernel: KernelConfig): KernelConfig {
  const cpu = getKernel(kernel.kernelName, 'cpu')?.kernelFunc;
  if (!cpu) return kernel;
  const native = kernel.kernelFunc;
  const isEmpty = (t: TensorInfo | undefined) => t?.shape.includes(0) === true;
  return {
    ...kernel,
    kernelFunc: (args) => (Object.values(args.inputs).some(isEmpty) ? cpu(args) : native(args)),
  };
}
