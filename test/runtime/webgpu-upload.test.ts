import { describe, expect, it } from 'vitest';
import { installQueueUpload, type WebGpuUploaderLike } from '../../src/runtime/webgpu-upload.js';

/** A stand-in for tfjs's WebGPUBackend: records what the upload does. */
function fakeBackend() {
  const writes: { size: number; data: ArrayBufferView }[] = [];
  const fallbacks: object[] = [];
  class Backend {
    tensorMap = new Map<
      object,
      { dtype: string; shape: number[]; values?: unknown; resource?: unknown }
    >();
    bufferManager = { acquireBuffer: (size: number) => ({ size }) };
    queue = {
      writeBuffer: (buffer: { size: number }, _offset: number, data: ArrayBufferView) => {
        writes.push({ size: buffer.size, data });
      },
    };
    uploadToGPU(dataId: object) {
      fallbacks.push(dataId);
    }
  }
  installQueueUpload(Backend as unknown as { prototype: WebGpuUploaderLike });
  return { backend: new Backend(), writes, fallbacks };
}

describe('WebGPU uploads through the queue', () => {
  it('writes float and integer values into a pooled buffer and drops the CPU copy', () => {
    const { backend, writes, fallbacks } = fakeBackend();
    const a = {};
    const b = {};
    backend.tensorMap.set(a, { dtype: 'float32', shape: [3], values: Float32Array.of(1, 2, 3) });
    backend.tensorMap.set(b, { dtype: 'bool', shape: [2], values: Uint8Array.of(1, 0) });
    backend.uploadToGPU(a);
    backend.uploadToGPU(b);
    expect(fallbacks).toEqual([]);
    expect(writes.map((w) => w.size)).toEqual([12, 8]);
    expect(Array.from(writes[1]!.data as Int32Array)).toEqual([1, 0]);
    expect(writes[1]!.data).toBeInstanceOf(Int32Array); // bool lives as i32 on the GPU
    expect(backend.tensorMap.get(a)).toMatchObject({ values: null, resource: { size: 12 } });
  });

  it("leaves strings, GPU-resident and empty tensors to tfjs's own path", () => {
    const { backend, writes, fallbacks } = fakeBackend();
    const ids = [{}, {}, {}];
    backend.tensorMap.set(ids[0]!, { dtype: 'string', shape: [1], values: ['x'] });
    backend.tensorMap.set(ids[1]!, { dtype: 'float32', shape: [1], resource: { size: 4 } });
    backend.tensorMap.set(ids[2]!, { dtype: 'float32', shape: [0], values: new Float32Array(0) });
    for (const id of ids) backend.uploadToGPU(id);
    expect(fallbacks).toEqual(ids);
    expect(writes).toEqual([]);
  });
});
