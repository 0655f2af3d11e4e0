import { describe, expect, it } from 'vitest';
import {
  installSyncReadback,
  readBufferSync,
  resetDawnPumpForTests,
  type WebGpuBackendLike,
  watchDawnEvents,
} from '../../src/runtime/webgpu-readback.js';

/** A GPU buffer whose map completes only after Dawn's event pump has run `pumpsNeeded` times. */
function fakeGpu(contents: ArrayBuffer, pumpsNeeded: number) {
  const log: string[] = [];
  let pumps = 0;
  let mapRequested = false;
  const staging = {
    size: contents.byteLength,
    get mapState() {
      return mapRequested && pumps >= pumpsNeeded ? 'mapped' : 'pending';
    },
    mapAsync: async () => {
      mapRequested = true;
    },
    getMappedRange: () => contents,
    unmap: () => log.push('unmap'),
  };
  const source = { ...staging, mapState: 'unmapped' };
  const tensors = new Map<object, { dtype: string; values?: unknown; resource?: unknown }>();
  const backend = {
    tensorMap: tensors,
    bufferManager: {
      acquireBuffer: () => staging,
      releaseBuffer: () => log.push('release'),
    },
    commandEncoder: null as null | { copyBufferToBuffer(...args: unknown[]): void },
    ensureCommandEncoderReady() {
      backend.commandEncoder = { copyBufferToBuffer: () => log.push('copy') };
    },
    endComputePassEncoder: () => log.push('end pass'),
    submitQueue: () => log.push('submit'),
    convertAndCacheOnCPU(dataId: object, values: unknown) {
      tensors.get(dataId)!.values = values;
      return values;
    },
    readSync: (_dataId: object): unknown => 'tfjs path',
  };
  const pump = () => {
    pumps++;
  };
  return { backend, source, log, pump, pumpCount: () => pumps };
}

describe('synchronous WebGPU reads in Node', () => {
  it('pumps Dawn until the staging buffer maps, then copies, unmaps and releases it', () => {
    const fake = fakeGpu(new Float32Array([1.5, -2, 3]).buffer, 4);
    resetDawnPumpForTests(fake.pump);
    const bytes = readBufferSync(fake.backend as unknown as WebGpuBackendLike, fake.source);
    expect(Array.from(new Float32Array(bytes))).toEqual([1.5, -2, 3]);
    expect(fake.pumpCount()).toBe(4);
    expect(fake.log).toEqual(['end pass', 'copy', 'submit', 'unmap', 'release']);
  });

  it('fails with a clear message when Dawn never ran its event pump', () => {
    const fake = fakeGpu(new ArrayBuffer(4), 1);
    resetDawnPumpForTests(undefined);
    expect(() => readBufferSync(fake.backend as unknown as WebGpuBackendLike, fake.source)).toThrow(
      /Dawn event processing was never seen/,
    );
  });

  it('readSync reads GPU tensors by dtype and leaves CPU-resident ones to tfjs', () => {
    const fake = fakeGpu(new Int32Array([1, 0, 1]).buffer, 1);
    resetDawnPumpForTests(fake.pump);
    class Backend {}
    Object.assign(Backend.prototype, fake.backend);
    installSyncReadback(Backend as unknown as { prototype: WebGpuBackendLike });
    const read = (Backend.prototype as WebGpuBackendLike).readSync.bind(fake.backend);
    const onGpu = {};
    const asBool = {};
    const onCpu = {};
    fake.backend.tensorMap.set(onGpu, { dtype: 'int32', resource: fake.source });
    fake.backend.tensorMap.set(asBool, { dtype: 'bool', resource: fake.source });
    fake.backend.tensorMap.set(onCpu, { dtype: 'float32', values: new Float32Array([9]) });
    expect(Array.from(read(onGpu) as Int32Array)).toEqual([1, 0, 1]);
    expect(read(asBool)).toEqual(new Uint8Array([1, 0, 1]));
    expect(read(onCpu)).toBe('tfjs path');
    // Read values are cached on the CPU, as tfjs's own read does.
    expect(Array.from(fake.backend.tensorMap.get(onGpu)!.values as Int32Array)).toEqual([1, 0, 1]);
  });

  it('remembers the native callback Dawn hands to setImmediate, and only that', async () => {
    resetDawnPumpForTests(undefined);
    watchDawnEvents();
    const fake = fakeGpu(new Float32Array([4]).buffer, 0);
    setImmediate(() => {}); // a JavaScript callback: not Dawn's
    await new Promise((resolve) => setImmediate(resolve)); // a promise resolver: native, not Dawn's
    expect(() => readBufferSync(fake.backend as unknown as WebGpuBackendLike, fake.source)).toThrow(
      /never seen/,
    );
    // Function.prototype is, like Dawn's callback, a native function of no arguments.
    setImmediate(Function.prototype as () => void);
    expect(
      Array.from(
        new Float32Array(readBufferSync(fake.backend as unknown as WebGpuBackendLike, fake.source)),
      ),
    ).toEqual([4]);
  });
});
