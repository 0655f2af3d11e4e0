import {
  _FusedMatMul,
  type _FusedMatMulAttrs,
  BatchMatMul,
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { DENSE_KERNEL } from '../kernel-names.js';
import type { NativeBackend } from './backend.js';
import { applyEpilogue, cpuKernel, isFloat32 } from './cpu-kernels.js';

/** Flat offsets of each output batch into a and b, following numpy broadcasting of outer dims. */
export function batchOffsets(
  outerA: readonly number[],
  outerB: readonly number[],
  matrixA: number,
  matrixB: number,
): { outer: number[]; a: Int32Array; b: Int32Array } {
  const outer = broadcast_util.assertAndGetBroadcastShape([...outerA], [...outerB]);
  const count = util.sizeFromShape(outer);
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  const stridesOf = (dims: readonly number[]): number[] => {
    // Right-align dims with the output; a broadcast (size 1 or missing) dim has stride 0.
    const strides = new Array<number>(outer.length).fill(0);
    let stride = 1;
    for (let i = dims.length - 1; i >= 0; i--) {
      const axis = outer.length - dims.length + i;
      strides[axis] = dims[i] === 1 ? 0 : stride;
      stride *= dims[i]!;
    }
    return strides;
  };
  const stridesA = stridesOf(outerA);
  const stridesB = stridesOf(outerB);
  for (let flat = 0; flat < count; flat++) {
    let rest = flat;
    let ia = 0;
    let ib = 0;
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      const size = outer[axis]!;
      const index = rest % size;
      rest = (rest - index) / size;
      ia += index * stridesA[axis]!;
      ib += index * stridesB[axis]!;
    }
    a[flat] = ia * matrixA;
    b[flat] = ib * matrixB;
  }
  return { outer, a, b };
}

/** a @ b with transposes and broadcast batch dims, as one sgemm per output matrix. */
export function nativeBatchMatMul(
  backend: NativeBackend,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const m = transposeA ? a.shape[rankA - 1]! : a.shape[rankA - 2]!;
  const kA = transposeA ? a.shape[rankA - 2]! : a.shape[rankA - 1]!;
  const kB = transposeB ? b.shape[rankB - 1]! : b.shape[rankB - 2]!;
  const n = transposeB ? b.shape[rankB - 2]! : b.shape[rankB - 1]!;
  util.assert(
    kA === kB,
    () =>
      `Error in matMul: inner shapes (${kA}) and (${kB}) of Tensors with shapes ${a.shape} and ` +
      `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
  );
  const offsets = batchOffsets(a.shape.slice(0, -2), b.shape.slice(0, -2), m * kA, kB * n);
  const out = new Float32Array(offsets.a.length * m * n);
  if (m > 0 && n > 0 && kA > 0) {
    backend.addon.batchMatMul(
      backend.floats(a),
      backend.floats(b),
      out,
      offsets.a,
      offsets.b,
      m,
      n,
      kA,
      transposeA ? 1 : 0,
      transposeB ? 1 : 0,
    );
  }
  return backend.makeTensorInfo([...offsets.outer, m, n], 'float32', out);
}

const batchMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as BatchMatMulAttrs;
  if (!isFloat32(a, b)) return cpuKernel(BatchMatMul)({ inputs, backend, attrs });
  return nativeBatchMatMul(backend as NativeBackend, a, b, transposeA, transposeB);
};

const fusedMatMul: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
  const { transposeA, transposeB, activation, leakyreluAlpha } =
    attrs as unknown as _FusedMatMulAttrs;
  if (!a || !b || !isFloat32(a, b)) return cpuKernel(_FusedMatMul)({ inputs, backend, attrs });
  const native = backend as NativeBackend;
  const out = nativeBatchMatMul(native, a, b, transposeA, transposeB);
  return applyEpilogue(native, out, { bias, activation, preluActivationWeights, leakyreluAlpha });
};

/** DENSE_KERNEL: row-major x is already [rows, in], so its reshapes are only in the shapes. */
const denseKernel: KernelFunc = ({ inputs, backend }) => {
  const { x, w, bias } = inputs as { x: TensorInfo; w: TensorInfo; bias: TensorInfo };
  const [inDim, outDim] = w.shape as [number, number];
  const rows = util.sizeFromShape(x.shape) / inDim;
  const native = backend as NativeBackend;
  const product = nativeBatchMatMul(native, { ...x, shape: [rows, inDim] }, w, false, false);
  const out = applyEpilogue(native, product, { bias });
  return { ...out, shape: [...x.shape.slice(0, -1), outDim] };
};

export const matMulKernels = (backendName: string): KernelConfig[] => [
  { kernelName: BatchMatMul, backendName, kernelFunc: batchMatMul },
  { kernelName: _FusedMatMul, backendName, kernelFunc: fusedMatMul },
  { kernelName: DENSE_KERNEL, backendName, kernelFunc: denseKernel },
];
