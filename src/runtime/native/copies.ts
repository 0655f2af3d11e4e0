import {
  backend_util,
  Concat,
  type ConcatAttrs,
  GatherV2,
  type GatherV2Attrs,
  type KernelConfig,
  type KernelFunc,
  Slice,
  type SliceAttrs,
  Softmax,
  type SoftmaxAttrs,
  SplitV,
  type SplitVAttrs,
  slice_util,
  type TensorInfo,
  Transpose,
  type TransposeAttrs,
  Unpack,
  type UnpackAttrs,
  util,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';
import { cpuKernel, isFloat32 } from './cpu-kernels.js';
import { collapse, contiguousStrides } from './layout.js';

/** x[begin : begin + size], copied only when the box is not one contiguous run. */
function sliceFloat(
  native: NativeBackend,
  x: TensorInfo,
  begin: number[],
  size: number[],
): TensorInfo {
  const values = native.floats(x);
  const strides = contiguousStrides(x.shape);
  const offset = begin.reduce((sum, b, d) => sum + b * strides[d]!, 0);
  const count = util.sizeFromShape(size);
  if (slice_util.isSliceContinous(x.shape, begin, size)) {
    // Tensors are immutable, so a view of the input's buffer is a valid output.
    return native.makeTensorInfo(size, 'float32', values.subarray(offset, offset + count));
  }
  const out = new Float32Array(count);
  if (count > 0) {
    const layout = collapse(size, strides);
    native.addon.stridedCopy(values, out, layout.shape, layout.strides[0]!, offset);
  }
  return native.makeTensorInfo(size, 'float32', out);
}

const slice: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  if (!isFloat32(x)) return cpuKernel(Slice)({ inputs, backend, attrs });
  const { begin, size } = attrs as unknown as SliceAttrs;
  const [$begin, $size] = slice_util.parseSliceParams(x, begin, size) as [number[], number[]];
  slice_util.assertParamsValid(x, $begin, $size);
  return sliceFloat(backend as NativeBackend, x, $begin, $size);
};

const splitV: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  if (!isFloat32(x)) return cpuKernel(SplitV)({ inputs, backend, attrs });
  const { numOrSizeSplits, axis } = attrs as unknown as SplitVAttrs;
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x, numOrSizeSplits, $axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[$axis] = s;
    const piece = sliceFloat(backend as NativeBackend, x, [...begin], size);
    begin[$axis]! += s;
    return piece;
  });
};

const unpack: KernelFunc = ({ inputs, backend, attrs }) => {
  const { value } = inputs as { value: TensorInfo };
  if (!isFloat32(value)) return cpuKernel(Unpack)({ inputs, backend, attrs });
  const native = backend as NativeBackend;
  const axis = util.parseAxisParam((attrs as unknown as UnpackAttrs).axis, value.shape)[0]!;
  const count = value.shape[axis]!;
  const outShape = value.shape.filter((_, d) => d !== axis);
  const size = [...value.shape];
  size[axis] = 1;
  return Array.from({ length: count }, (_, i) => {
    const begin = value.shape.map((_, d) => (d === axis ? i : 0));
    const piece = sliceFloat(native, value, begin, size);
    // Same data, shape without the unpacked axis: re-label rather than copy.
    const data = native.data.get(piece.dataId).values as Float32Array;
    const out = native.makeTensorInfo(outShape, 'float32', data);
    native.disposeIntermediateTensorInfo(piece);
    return out;
  });
};

const transpose: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  if (!isFloat32(x)) return cpuKernel(Transpose)({ inputs, backend, attrs });
  const native = backend as NativeBackend;
  const { perm } = attrs as unknown as TransposeAttrs;
  const outShape = perm.map((p) => x.shape[p]!);
  const inStrides = contiguousStrides(x.shape);
  const out = new Float32Array(util.sizeFromShape(outShape));
  if (out.length > 0) {
    const layout = collapse(
      outShape,
      perm.map((p) => inStrides[p]!),
    );
    native.addon.stridedCopy(native.floats(x), out, layout.shape, layout.strides[0]!, 0);
  }
  return native.makeTensorInfo(outShape, 'float32', out);
};

const softmax: KernelFunc = ({ inputs, backend, attrs }) => {
  const { logits } = inputs as { logits: TensorInfo };
  const { dim } = attrs as unknown as SoftmaxAttrs;
  const lastAxis = logits.shape.length - 1;
  if (!isFloat32(logits) || (dim !== -1 && dim !== lastAxis)) {
    return cpuKernel(Softmax)({ inputs, backend, attrs });
  }
  const native = backend as NativeBackend;
  const cols = logits.shape[lastAxis] ?? 1;
  const out = new Float32Array(util.sizeFromShape(logits.shape));
  if (out.length > 0) native.addon.softmax(native.floats(logits), out, out.length / cols, cols);
  return native.makeTensorInfo([...logits.shape], 'float32', out);
};

type Values = Float32Array | Int32Array | Uint8Array;

/**
 * Gather along one axis as block copies: each picked index copies its whole inner slab. The cpu
 * kernel reads and writes element by element through TensorBuffer index arithmetic (~17 ms to
 * reorder a beam's 4 [4, 4, 51, 36] attention caches; this takes ~0.1 ms).
 */
const gather: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, indices } = inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = attrs as unknown as GatherV2Attrs;
  const native = backend as NativeBackend;
  const raw = native.data.get(x.dataId).values;
  const ids = native.data.get(indices.dataId).values;
  const typed = (v: unknown): v is Values =>
    v instanceof Float32Array || v instanceof Int32Array || v instanceof Uint8Array;
  if (batchDims !== 0 || !typed(raw) || !typed(ids)) {
    return cpuKernel(GatherV2)({ inputs, backend, attrs });
  }
  const values: Values = x.dtype === 'float32' ? native.floats(x) : raw;
  const $axis = util.parseAxisParam(axis, x.shape)[0]!;
  const count = x.shape[$axis]!;
  const outer = util.sizeFromShape(x.shape.slice(0, $axis));
  const inner = util.sizeFromShape(x.shape.slice($axis + 1));
  const outShape = [...x.shape.slice(0, $axis), ...indices.shape, ...x.shape.slice($axis + 1)];
  const out = new (values.constructor as new (n: number) => Values)(outer * ids.length * inner);
  for (let i = 0; i < ids.length; i++) {
    const index = ids[i]!;
    if (!(index >= 0 && index < count))
      throw new Error(`GatherV2: index ${index} is not in [0, ${count - 1}]`);
  }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < ids.length; i++) {
      const from = (o * count + ids[i]!) * inner;
      out.set(values.subarray(from, from + inner), (o * ids.length + i) * inner);
    }
  }
  return native.makeTensorInfo(outShape, x.dtype, out);
};

/**
 * Concat as block copies: each input contributes one contiguous run per outer index. The cpu
 * kernel goes element by element for anything but axis 0 (a decoder's growing attention caches
 * are joined on axis 2 at every step).
 */
const concat: KernelFunc = ({ inputs, backend, attrs }) => {
  const parts = (inputs as unknown as TensorInfo[]).filter((t) => util.sizeFromShape(t.shape) > 0);
  const native = backend as NativeBackend;
  const first = (inputs as unknown as TensorInfo[])[0]!;
  if (parts.length === 0 || !isFloat32(...parts))
    return cpuKernel(Concat)({ inputs, backend, attrs });
  const $axis = util.parseAxisParam((attrs as unknown as ConcatAttrs).axis, first.shape)[0]!;
  const outShape = backend_util.computeOutShape(
    parts.map((t) => t.shape),
    $axis,
  );
  const outer = util.sizeFromShape(outShape.slice(0, $axis));
  const out = new Float32Array(util.sizeFromShape(outShape));
  const rowLength = out.length / Math.max(outer, 1);
  let offset = 0;
  for (const part of parts) {
    const values = native.floats(part);
    const run = values.length / Math.max(outer, 1);
    for (let o = 0; o < outer; o++) {
      out.set(values.subarray(o * run, (o + 1) * run), o * rowLength + offset);
    }
    offset += run;
  }
  return native.makeTensorInfo(outShape, 'float32', out);
};

export const copyKernels = (backendName: string): KernelConfig[] => [
  { kernelName: Slice, backendName, kernelFunc: slice },
  { kernelName: SplitV, backendName, kernelFunc: splitV },
  { kernelName: Unpack, backendName, kernelFunc: unpack },
  { kernelName: Transpose, backendName, kernelFunc: transpose },
  { kernelName: Softmax, backendName, kernelFunc: softmax },
  { kernelName: GatherV2, backendName, kernelFunc: gather },
  { kernelName: Concat, backendName, kernelFunc: concat },
];
