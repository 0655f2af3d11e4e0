import {
  backend_util,
  Conv2D,
  type Conv2DAttrs,
  Conv2DBackpropFilter,
  type Conv2DBackpropFilterAttrs,
  Conv2DBackpropInput,
  type Conv2DBackpropInputAttrs,
  FusedConv2D,
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { NativeBackend } from './backend.js';
import { applyEpilogue, cpuKernel, isFloat32 } from './cpu-kernels.js';

/** The 15 numbers native/src/conv2d.c reads, in its ConvDims order. */
function convDims(info: backend_util.Conv2DInfo): Int32Array {
  return Int32Array.from([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ]);
}

const isChannelsLast = (dataFormat: string | undefined): boolean =>
  dataFormat === undefined || dataFormat === 'NHWC';

function nativeConv2D(
  backend: NativeBackend,
  x: TensorInfo,
  filter: TensorInfo,
  attrs: Conv2DAttrs,
): TensorInfo {
  const { strides, pad, dilations, dimRoundingMode } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
  );
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
  if (y.length > 0)
    backend.addon.conv2d(backend.floats(x), backend.floats(filter), y, convDims(info));
  return backend.makeTensorInfo(info.outShape, 'float32', y);
}

const conv2d: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter } = inputs as { x: TensorInfo; filter: TensorInfo };
  const convAttrs = attrs as unknown as Conv2DAttrs;
  if (!isFloat32(x, filter) || !isChannelsLast(convAttrs.dataFormat)) {
    return cpuKernel(Conv2D)({ inputs, backend, attrs });
  }
  return nativeConv2D(backend as NativeBackend, x, filter, convAttrs);
};

const fusedConv2d: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo>;
  const fusedAttrs = attrs as unknown as FusedConv2DAttrs;
  if (!x || !filter || !isFloat32(x, filter) || !isChannelsLast(fusedAttrs.dataFormat)) {
    return cpuKernel(FusedConv2D)({ inputs, backend, attrs });
  }
  const native = backend as NativeBackend;
  const out = nativeConv2D(native, x, filter, fusedAttrs);
  return applyEpilogue(native, out, {
    bias,
    activation: fusedAttrs.activation,
    preluActivationWeights,
    leakyreluAlpha: fusedAttrs.leakyreluAlpha,
  });
};

const conv2dBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const { inputShape, strides, pad, dataFormat, dimRoundingMode } =
    attrs as unknown as Conv2DBackpropInputAttrs;
  if (!isFloat32(dy, filter) || !isChannelsLast(dataFormat)) {
    return cpuKernel(Conv2DBackpropInput)({ inputs, backend, attrs });
  }
  const native = backend as NativeBackend;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  if (dx.length > 0) {
    native.addon.conv2dBackpropInput(native.floats(dy), native.floats(filter), dx, convDims(info));
  }
  return native.makeTensorInfo([...inputShape], 'float32', dx);
};

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { filterShape, strides, pad, dataFormat, dimRoundingMode } =
    attrs as unknown as Conv2DBackpropFilterAttrs;
  if (!isFloat32(x, dy) || !isChannelsLast(dataFormat)) {
    return cpuKernel(Conv2DBackpropFilter)({ inputs, backend, attrs });
  }
  const native = backend as NativeBackend;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dw = new Float32Array(
    info.filterHeight * info.filterWidth * info.inChannels * info.outChannels,
  );
  if (dw.length > 0) {
    native.addon.conv2dBackpropFilter(native.floats(x), native.floats(dy), dw, convDims(info));
  }
  return native.makeTensorInfo([...filterShape], 'float32', dw);
};

export const conv2dKernels = (backendName: string): KernelConfig[] => [
  { kernelName: Conv2D, backendName, kernelFunc: conv2d },
  { kernelName: FusedConv2D, backendName, kernelFunc: fusedConv2d },
  { kernelName: Conv2DBackpropInput, backendName, kernelFunc: conv2dBackpropInput },
  { kernelName: Conv2DBackpropFilter, backendName, kernelFunc: conv2dBackpropFilter },
];
