import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';

/**
 * The cpu backend's storage (plain typed arrays, which the addon reads and writes in place, no
 * copies) with hot kernels replaced by OpenBLAS/C ones. Everything else runs the cpu kernels.
 */
export class NativeBackend extends MathBackendCPU {
  constructor(readonly addon: NativeAddon) {
    super();
  }

  threads(): number {
    return this.addon.getThreads();
  }

  /** The float32 values of a tensor, as the typed array the backend stores (not a copy). */
  floats(info: TensorInfo): Float32Array {
    const values = this.data.get(info.dataId).values;
    if (!(values instanceof Float32Array)) {
      throw new Error(`native backend: expected float32 data, got ${info.dtype}`);
    }
    return values;
  }
}
