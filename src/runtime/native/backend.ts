import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';

/**
 * The cpu backend's storage (plain typed arrays, which the addon reads and writes in place, no
 * copies) with hot kernels replaced by OpenBLAS/C ones. Everything else runs the cpu kernels.
 */
export const NATIVE_BACKEND = 'native';

export class NativeBackend extends MathBackendCPU {
  /** The name it is registered under (for looking up its own kernels). */
  readonly name = NATIVE_BACKEND;

  constructor(readonly addon: NativeAddon) {
    super();
  }

  threads(): number {
    return this.addon.getThreads();
  }

  /**
   * The float32 values of a tensor, as the typed array the backend stores (not a copy). Some cpu
   * kernels store float32 results in other typed arrays (a cast from bool, say): those are
   * converted once, in place, so the addon always sees a Float32Array.
   */
  floats(info: TensorInfo): Float32Array {
    const data = this.data.get(info.dataId);
    if (data.values instanceof Float32Array) return data.values;
    if (info.dtype !== 'float32' || !ArrayBuffer.isView(data.values)) {
      throw new Error(`native backend: expected float32 data, got ${info.dtype}`);
    }
    data.values = Float32Array.from(data.values as unknown as ArrayLike<number>);
    return data.values;
  }
}
