import {
  getKernel,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';

/** A kernel of the stock cpu backend, for dtypes and layouts the native kernels do not cover. */
export function cpuKernel(name: string): KernelFunc {
  const kernel = getKernel(name, 'cpu');
  if (!kernel) throw new Error(`native backend: the cpu backend has no ${name} kernel`);
  return kernel.kernelFunc;
}

export const isFloat32 = (...infos: TensorInfo[]): boolean =>
  infos.every((t) => t.dtype === 'float32');

/** Kernel names of the activations fused ops may apply after the bias. */
const ACTIVATION_KERNELS: Record<string, string> = {
  relu: 'Relu',
  relu6: 'Relu6',
  elu: 'Elu',
  sigmoid: 'Sigmoid',
  leakyrelu: 'LeakyRelu',
  prelu: 'Prelu',
};

export interface FusedEpilogue {
  bias?: TensorInfo | undefined;
  activation?: string | undefined;
  preluActivationWeights?: TensorInfo | undefined;
  leakyreluAlpha?: number | undefined;
}

/** The backend's own kernel (native where one is registered), else the cpu one. */
function ownKernel(backend: NativeBackend, name: string): KernelFunc {
  return getKernel(name, backend.name)?.kernelFunc ?? cpuKernel(name);
}

/**
 * out + bias, then the activation: the tail shared by _FusedMatMul and FusedConv2D, through the
 * native kernels (the cpu Add broadcasts the bias element by element in JS: 0.3 ms for 79×576).
 */
export function applyEpilogue(
  backend: NativeBackend,
  out: TensorInfo,
  epilogue: FusedEpilogue,
): TensorInfo {
  let result = out;
  const replace = (next: TensorInfo): void => {
    backend.disposeIntermediateTensorInfo(result);
    result = next;
  };
  const { bias, activation } = epilogue;
  if (bias) {
    replace(
      ownKernel(
        backend,
        'Add',
      )({ inputs: { a: result, b: bias }, backend, attrs: {} }) as TensorInfo,
    );
  }
  if (activation && activation !== 'linear') {
    const kernel = ACTIVATION_KERNELS[activation];
    if (!kernel) throw new Error(`native backend: unknown fused activation '${activation}'`);
    const inputs =
      activation === 'prelu'
        ? { x: result, alpha: epilogue.preluActivationWeights! }
        : { x: result };
    const attrs: NamedAttrMap =
      activation === 'leakyrelu' ? { alpha: epilogue.leakyreluAlpha ?? 0.2 } : {};
    replace(ownKernel(backend, kernel)({ inputs, backend, attrs }) as TensorInfo);
  }
  return result;
}
