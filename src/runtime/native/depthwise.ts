import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { DEPTHWISE_KERNELS } from '../kernel-names.js';
import type { NativeBackend } from './backend.js';

/** Each kernel's op code (native/src/kernels.h), its two inputs, and which input is [B, T, C]. */
const OPS: readonly [kernelName: string, op: number, a: string, b: string][] = [
  [DEPTHWISE_KERNELS.forward, 0, 'x', 'w'],
  [DEPTHWISE_KERNELS.gradX, 1, 'dy', 'w'],
  [DEPTHWISE_KERNELS.gradW, 2, 'x', 'dy'],
];

const depthwiseKernel =
  (op: number, a: string, b: string): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const named = inputs as Record<string, TensorInfo>;
    const native = backend as NativeBackend;
    const [batch, frames, channels] = named[a]!.shape as [number, number, number];
    const kernel = (attrs as { kernel: number }).kernel;
    const shape = op === 2 ? [kernel, channels] : [batch, frames, channels];
    const out = new Float32Array(shape.reduce((n, d) => n * d, 1));
    if (out.length > 0)
      native.addon.depthwise(
        op,
        native.floats(named[a]!),
        native.floats(named[b]!),
        out,
        batch,
        frames,
        channels,
        kernel,
      );
    return native.makeTensorInfo(shape, 'float32', out);
  };

export const depthwiseKernels = (backendName: string): KernelConfig[] =>
  OPS.map(([kernelName, op, a, b]) => ({
    kernelName,
    backendName,
    kernelFunc: depthwiseKernel(op, a, b),
  }));
