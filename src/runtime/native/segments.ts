import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  UnsortedSegmentSum,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';
import { cpuKernel, isFloat32 } from './cpu-kernels.js';

/**
 * out[segmentIds[i], ...] += x[i, ...]: the gradient of gather (every embedding lookup). The cpu
 * kernel builds a mask per segment over the whole input (15 ms for a 13-row table); one pass of
 * row additions is enough.
 */
const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  if (!isFloat32(x)) return cpuKernel(UnsortedSegmentSum)({ inputs, backend, attrs });
  const native = backend as NativeBackend;
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs;
  const ids = native.data.get(segmentIds.dataId).values as ArrayLike<number>;
  const rows = util.sizeFromShape(segmentIds.shape);
  const rowShape = x.shape.slice(segmentIds.shape.length);
  const width = util.sizeFromShape(rowShape);
  const values = native.floats(x);
  const out = new Float32Array(numSegments * width);
  for (let i = 0; i < rows; i++) {
    const segment = ids[i]!;
    if (segment < 0 || segment >= numSegments) continue; // tf drops out-of-range ids
    const from = i * width;
    const to = segment * width;
    for (let j = 0; j < width; j++) out[to + j]! += values[from + j]!;
  }
  return native.makeTensorInfo([numSegments, ...rowShape], 'float32', out);
};

export const segmentKernels = (backendName: string): KernelConfig[] => [
  { kernelName: UnsortedSegmentSum, backendName, kernelFunc: unsortedSegmentSum },
];
