import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { LSTM_KERNELS } from '../kernel-names.js';
import type { NativeBackend } from './backend.js';

/**
 * The LSTM cell's pointwise kernels (src/nn/lstm-cell.ts) in C: each kernel's op code (the order
 * of native/src/kernels.h), the input it reads beside z, its gradient input, and whether it
 * writes all four gates ([B, 4H]) or one cell row ([B, H]).
 */
const LSTM_OPS: readonly [
  kernelName: string,
  op: number,
  other?: string,
  dy?: string,
  gates?: true,
][] = [
  [LSTM_KERNELS.cell, 0, 'cPrev'],
  [LSTM_KERNELS.output, 1, 'c'],
  [LSTM_KERNELS.cellGradZ, 2, 'cPrev', 'dc', true],
  [LSTM_KERNELS.cellGradPrev, 3, undefined, 'dc'],
  [LSTM_KERNELS.outputGradZ, 4, 'c', 'dh', true],
  [LSTM_KERNELS.outputGradC, 5, 'c', 'dh'],
];

const lstmKernel =
  (op: number, other?: string, dy?: string, gates?: true): KernelFunc =>
  ({ inputs, backend }) => {
    const named = inputs as Record<string, TensorInfo | undefined>;
    const native = backend as NativeBackend;
    const [batch, width] = named.z!.shape as [number, number];
    const units = width / 4;
    const outWidth = gates ? width : units;
    const out = new Float32Array(batch * outWidth);
    if (out.length > 0)
      native.addon.lstm(
        op,
        native.floats(named.z!),
        other ? native.floats(named[other]!) : null,
        dy ? native.floats(named[dy]!) : null,
        out,
        batch,
        units,
      );
    return native.makeTensorInfo([batch, outWidth], 'float32', out);
  };

export const lstmKernels = (backendName: string): KernelConfig[] =>
  LSTM_OPS.map(([kernelName, op, other, dy, gates]) => ({
    kernelName,
    backendName,
    kernelFunc: lstmKernel(op, other, dy, gates),
  }));
