import {
  Add,
  backend_util,
  type KernelConfig,
  type KernelFunc,
  Maximum,
  Minimum,
  Multiply,
  RealDiv,
  SquaredDifference,
  Sub,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';
import { cpuKernel, isFloat32 } from './cpu-kernels.js';
import { broadcastStrides, collapse } from './layout.js';

/** Op codes of native/src/kernels.h, in its enum order. */
const BINARY_OPS: readonly [kernelName: string, code: number][] = [
  [Add, 0],
  [Sub, 1],
  [Multiply, 2],
  [RealDiv, 3],
  [Maximum, 4],
  [Minimum, 5],
  [SquaredDifference, 6],
];

function binaryKernel(kernelName: string, code: number): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    if (!isFloat32(a, b)) return cpuKernel(kernelName)({ inputs, backend, attrs });
    const native = backend as NativeBackend;
    const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = new Float32Array(util.sizeFromShape(outShape));
    if (out.length > 0) {
      const layout = collapse(
        outShape,
        broadcastStrides(a.shape, outShape),
        broadcastStrides(b.shape, outShape),
      );
      native.addon.binary(
        code,
        native.floats(a),
        native.floats(b),
        out,
        layout.shape,
        layout.strides[0]!,
        layout.strides[1]!,
      );
    }
    return native.makeTensorInfo(outShape, 'float32', out);
  };
}

export const binaryKernels = (backendName: string): KernelConfig[] =>
  BINARY_OPS.map(([kernelName, code]) => ({
    kernelName,
    backendName,
    kernelFunc: binaryKernel(kernelName, code),
  }));
