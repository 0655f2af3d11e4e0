import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { tf } from './tf.js';

/**
 * Our own kernels. WebGPU ones are tfjs-backend-webgpu programs (its shader prelude declares one
 * `result` array, the inputs as arrays named by `variableNames`, `uniforms.size` and each input's
 * shape as `uniforms.<name>Shape`); typed-array ones (cpu, native) are loops over the values.
 * Where a backend lacks one, `hasKernel` is false and callers use their composite of tfjs ops,
 * which computes the same values.
 */

export type UniformData = { type: 'int32' | 'uint32' | 'float32'; data: number[] };

export interface WebGpuProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly uniforms?: string;
  readonly workgroupSize: [number, number, number];
  readonly size: boolean;
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  getUserCode(): string;
}

interface WebGpuProgramRunner {
  runWebGPUProgram(
    program: WebGpuProgram,
    inputs: TensorInfo[],
    dtype: 'float32',
    uniforms?: UniformData[],
  ): TensorInfo;
}

/**
 * Math every program may call. tanh as tfjs's WebGPU backend writes it: WGSL's builtin returns
 * NaN for large |x| on some drivers.
 */
const MATH_WGSL = `
  fn attendSigmoid(x : f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
  fn attendTanh(x : f32) -> f32 {
    let e2x = exp(-2.0 * abs(x));
    return sign(x) * (1.0 - e2x) / (1.0 + e2x);
  }`;

/**
 * A program over the flat output, one thread per element (workgroups of 64): `body` is WGSL that
 * sees `index` (< uniforms.size) and sets `result[index]`.
 */
export class ElementwiseProgram implements WebGpuProgram {
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  constructor(
    readonly shaderKey: string,
    readonly variableNames: string[],
    readonly outputShape: number[],
    private readonly body: string,
    readonly uniforms?: string,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [Math.ceil(outputShape.reduce((a, b) => a * b, 1) / 64), 1, 1];
  }
  getUserCode(): string {
    return `${MATH_WGSL}
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${this.body}
        }
      }`;
  }
}

/** Threads of a RowProgram's workgroup (the WGSL constant WIDTH). */
const ROW_WIDTH = 64;

/**
 * A program with one workgroup of WIDTH (64) threads per row: `body` sees `row` and `tid`
 * (0 ≤ tid < WIDTH) and may reduce over the workgroup with workgroupReduce.
 */
export class RowProgram implements WebGpuProgram {
  readonly workgroupSize: [number, number, number] = [ROW_WIDTH, 1, 1];
  readonly size = true;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  constructor(
    readonly shaderKey: string,
    readonly variableNames: string[],
    readonly outputShape: number[],
    rows: number,
    private readonly body: string,
    readonly uniforms?: string,
  ) {
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = [rows, 1, 1];
  }
  getUserCode(): string {
    return `${MATH_WGSL}
      const WIDTH = ${ROW_WIDTH};
      var<workgroup> buf : array<f32, WIDTH>;
      fn main(index : i32) {
        let row = index / WIDTH;
        let tid = i32(localId.x);
        ${this.body}
      }`;
  }
}

/**
 * WGSL for a RowProgram: reduces each thread's `value` over the workgroup with `op` ('+' or
 * 'max') into `reduced_<value>`, which every thread then reads.
 */
export function workgroupReduce(value: string, op: '+' | 'max'): string {
  const combine = op === '+' ? 'buf[tid] + buf[tid + half]' : 'max(buf[tid], buf[tid + half])';
  return `
  buf[tid] = ${value};
  workgroupBarrier();
  for (var half = WIDTH / 2; half > 0; half = half / 2) {
    if (tid < half) { buf[tid] = ${combine}; }
    workgroupBarrier();
  }
  let reduced_${value} = buf[0];
  workgroupBarrier();`;
}

/** Runs `program` on the webgpu backend that a kernel function was handed. */
export function runProgram(
  backend: unknown,
  program: WebGpuProgram,
  inputs: TensorInfo[],
  uniforms?: UniformData[],
): TensorInfo {
  return (backend as WebGpuProgramRunner).runWebGPUProgram(program, inputs, 'float32', uniforms);
}

/** Registers `kernelFunc` under `name` for the webgpu backend. */
export function registerWebGpuKernel(name: string, kernelFunc: KernelFunc): void {
  tf.registerKernel({ kernelName: name, backendName: 'webgpu', kernelFunc });
}

/** What the cpu and native backends keep: a typed array per tensor. */
interface TypedArrayBackend {
  data: { get(dataId: object): { values: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/**
 * Registers a kernel for the typed-array backends (cpu, native) from a function of the inputs'
 * values: it returns the output's values and shape.
 */
export function registerTypedArrayKernel(
  name: string,
  compute: (
    values: Record<string, ArrayLike<number>>,
    inputs: Record<string, TensorInfo>,
    attrs: Record<string, unknown>,
  ) => { values: Float32Array; shape: number[] },
): void {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const store = backend as unknown as TypedArrayBackend;
    const infos = inputs as Record<string, TensorInfo>;
    const values = Object.fromEntries(
      Object.entries(infos).map(([key, info]) => [key, store.data.get(info.dataId).values]),
    );
    const out = compute(values, infos, attrs as Record<string, unknown>);
    return store.makeTensorInfo(out.shape, 'float32', out.values);
  };
  // native's C version of a kernel (registered with the backend) wins over this one.
  for (const backendName of ['cpu', 'native'])
    if (!tf.getKernel(name, backendName))
      tf.registerKernel({ kernelName: name, backendName, kernelFunc });
}

/** Most workgroups one dimension of a dispatch may have (WebGPU's default limit). */
const MAX_WORKGROUPS = 65535;

/**
 * Whether a RowProgram over the rows of `x`'s last axis fits one dispatch on the current backend
 * (always off webgpu); callers past it use their tfjs ops.
 */
export const fitsRowDispatch = (x: tf.Tensor): boolean =>
  tf.getBackend() !== 'webgpu' || x.size / (x.shape.at(-1) ?? 1) <= MAX_WORKGROUPS;

/** Whether the current backend has our kernel `name`. */
export const hasKernel = (name: string): boolean =>
  tf.getKernel(name, tf.getBackend()) !== undefined;

/** Runs our kernel `name` on the current backend. */
export function runKernel(
  name: string,
  inputs: Record<string, tf.Tensor>,
  attrs: Record<string, unknown> = {},
): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor;
}
