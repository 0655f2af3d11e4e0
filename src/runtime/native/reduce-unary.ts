import {
  Abs,
  backend_util,
  Exp,
  type KernelConfig,
  type KernelFunc,
  Log,
  Max,
  Mean,
  Min,
  Neg,
  Relu,
  Rsqrt,
  Sigmoid,
  Sqrt,
  Square,
  Step,
  type StepAttrs,
  Sum,
  Tanh,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';
import { cpuKernel, isFloat32 } from './cpu-kernels.js';
import { collapse, contiguousStrides } from './layout.js';

/** Op codes of native/src/kernels.h. */
const REDUCE_OPS: readonly [kernelName: string, code: number, axisAttr: string][] = [
  [Sum, 0, 'axis'],
  [Mean, 1, 'axis'],
  [Max, 2, 'reductionIndices'],
  [Min, 3, 'axis'],
];

/**
 * Views x as [outer, reduce, inner] when the reduced axes are one consecutive block (size-1 axes
 * count as either side); otherwise moves them last with a native transpose first.
 */
function reduceLayout(
  native: NativeBackend,
  x: TensorInfo,
  axes: number[],
): { values: Float32Array; outer: number; reduce: number; inner: number; temp?: Float32Array } {
  const shape = x.shape;
  const reduced = new Set(axes);
  const significant = shape.map((_, d) => d).filter((d) => shape[d]! > 1);
  const reducedDims = significant.filter((d) => reduced.has(d));
  const first = significant.indexOf(reducedDims[0] ?? -1);
  const consecutive = reducedDims.every((d, i) => significant[first + i] === d);
  const size = (dims: number[]): number => dims.reduce((n, d) => n * shape[d]!, 1);
  const reduce = size(reducedDims);
  if (reducedDims.length === 0) {
    // Only size-1 axes are reduced: every value is its own group.
    return { values: native.floats(x), outer: size(significant), reduce: 1, inner: 1 };
  }
  if (consecutive) {
    const before = significant.slice(0, first);
    const after = significant.slice(first + reducedDims.length);
    return { values: native.floats(x), outer: size(before), reduce, inner: size(after) };
  }
  const kept = shape.map((_, d) => d).filter((d) => !reduced.has(d));
  const perm = [...kept, ...axes];
  const strides = contiguousStrides(shape);
  const layout = collapse(
    perm.map((p) => shape[p]!),
    perm.map((p) => strides[p]!),
  );
  const temp = new Float32Array(util.sizeFromShape(shape));
  native.addon.stridedCopy(native.floats(x), temp, layout.shape, layout.strides[0]!, 0);
  return { values: temp, outer: size(kept), reduce, inner: 1 };
}

function reduceKernel(kernelName: string, code: number, axisAttr: string): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    if (!isFloat32(x) || x.shape.length === 0)
      return cpuKernel(kernelName)({ inputs, backend, attrs });
    const native = backend as NativeBackend;
    const axes = util.parseAxisParam(attrs?.[axisAttr] as number | number[], x.shape);
    const keepDims = Boolean(attrs?.keepDims);
    const [kept] = backend_util.computeOutAndReduceShapes(x.shape, axes);
    const outShape = keepDims ? backend_util.expandShapeToKeepDim(kept, axes) : kept;
    const { values, outer, reduce, inner } = reduceLayout(native, x, axes);
    const out = new Float32Array(outer * inner);
    if (out.length > 0) native.addon.reduce(code, values, out, outer, reduce, inner);
    return native.makeTensorInfo(outShape, 'float32', out);
  };
}

const UNARY_OPS: readonly [kernelName: string, code: number][] = [
  [Relu, 0],
  [Step, 1],
  [Square, 2],
  [Exp, 3],
  [Log, 4],
  [Tanh, 5],
  [Sigmoid, 6],
  [Sqrt, 7],
  [Rsqrt, 8],
  [Neg, 9],
  [Abs, 10],
];

function unaryKernel(kernelName: string, code: number): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs as { x: TensorInfo };
    if (!isFloat32(x)) return cpuKernel(kernelName)({ inputs, backend, attrs });
    const native = backend as NativeBackend;
    const alpha = kernelName === Step ? ((attrs as unknown as StepAttrs).alpha ?? 0) : 0;
    const values = native.floats(x);
    const out = new Float32Array(values.length);
    native.addon.unary(code, values, out, alpha);
    return native.makeTensorInfo([...x.shape], 'float32', out);
  };
}

export const reduceAndUnaryKernels = (backendName: string): KernelConfig[] => [
  ...REDUCE_OPS.map(([kernelName, code, axisAttr]) => ({
    kernelName,
    backendName,
    kernelFunc: reduceKernel(kernelName, code, axisAttr),
  })),
  ...UNARY_OPS.map(([kernelName, code]) => ({
    kernelName,
    backendName,
    kernelFunc: unaryKernel(kernelName, code),
  })),
];
