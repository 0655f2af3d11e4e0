import { describe, expect, it } from 'vitest';
import {
  installBindGroupCache,
  installLayoutMemo,
  type PipelineLike,
  packUniforms,
  uniformLayout,
  type WebGpuBindingBackendLike,
} from '../../src/runtime/webgpu-bind-groups.js';

/** A stand-in for tfjs's WebGPUBackend, its device and buffer pool: records what is created. */
function fakeBackend() {
  let nextBuffer = 0;
  const created = { bindGroups: 0, uniformBuffers: 0, writes: 0 };
  const destroyed: string[] = [];
  const makeBuffer = (size: number, usage: number) => ({
    name: `b${nextBuffer++}`,
    size,
    usage,
    destroy() {
      destroyed.push(this.name);
    },
  });
  type Buffer = ReturnType<typeof makeBuffer>;
  class Backend {
    device = {
      createBindGroup: (descriptor: object) => {
        created.bindGroups++;
        return { descriptor };
      },
      createBuffer: ({ size, usage }: { size: number; usage: number }) => {
        created.uniformBuffers++;
        return makeBuffer(size, usage);
      },
    };
    queue = { writeBuffer: () => void created.writes++ };
    bufferManager = {
      freeBuffers: new Map<string, Buffer[]>(),
      acquire(size: number): Buffer {
        return this.freeBuffers.get(`${size}_128`)?.pop() ?? makeBuffer(size, 128);
      },
      releaseBuffer(buffer: Buffer, reuse = true) {
        if (!reuse) return;
        const key = `${buffer.size}_${buffer.usage}`;
        if (!this.freeBuffers.has(key)) this.freeBuffers.set(key, []);
        this.freeBuffers.get(key)!.push(buffer); // tfjs: the last freed is the next taken
      },
    };
    submitted = 0;
    makeUniforms(_fields: { type: string; data: number[] }[]): unknown {
      throw new Error('replaced by the cache');
    }
    submitQueue() {
      this.submitted++;
    }
    /** What tfjs's recordAndSubmit does for one dispatch. */
    dispatch(layout: object, buffers: Buffer[], shape: number[]) {
      const uniform = this.makeUniforms([
        { type: 'float32', data: [Number.NaN] },
        { type: 'int32', data: shape },
      ]);
      return this.device.createBindGroup({
        layout,
        entries: [...buffers.map((buffer) => ({ buffer })), uniform].map((resource, binding) => ({
          binding,
          resource,
        })),
      });
    }
  }
  installBindGroupCache(Backend as unknown as { prototype: WebGpuBindingBackendLike });
  return { backend: new Backend(), created, destroyed };
}

describe('WebGPU uniform blocks', () => {
  it('lays fields out as the WGSL struct tfjs declares (vec3 and arrays of 5 align to 16)', () => {
    const fields = [
      { type: 'float32', data: [Number.NaN] },
      { type: 'float32', data: [Number.POSITIVE_INFINITY] },
      { type: 'int32', data: [2, 3, 4] },
      { type: 'int32', data: [1, 2, 3, 4, 5] },
      { type: 'int32', data: [7] },
    ];
    expect(uniformLayout(fields)).toEqual({ offsets: [0, 4, 16, 32, 64], size: 80 });
    const bytes = packUniforms(fields);
    expect(Array.from(new Int32Array(bytes, 16, 3))).toEqual([2, 3, 4]);
    expect(new Int32Array(bytes, 64, 1)[0]).toBe(7);
    expect(Number.isNaN(new Float32Array(bytes, 0, 1)[0])).toBe(true);
  });

  it('writes an empty field as a 1, as tfjs does', () => {
    expect(Array.from(new Int32Array(packUniforms([{ type: 'int32', data: [] }])))).toEqual([1]);
  });
});

describe('WebGPU bind group cache', () => {
  it('makes each distinct uniform block once and reuses a bind group over the same buffers', () => {
    const { backend, created } = fakeBackend();
    const layout = {};
    const [a, b] = [backend.bufferManager.acquire(64), backend.bufferManager.acquire(64)];
    const first = backend.dispatch(layout, [a, b], [4, 4]);
    expect(backend.dispatch(layout, [a, b], [4, 4])).toBe(first);
    expect(created).toMatchObject({ bindGroups: 1, uniformBuffers: 1, writes: 1 });
    // Another shape is another uniform block; other buffers or another layout, another group.
    expect(backend.dispatch(layout, [a, b], [2, 8])).not.toBe(first);
    expect(backend.dispatch(layout, [b, a], [4, 4])).not.toBe(first);
    expect(backend.dispatch({}, [a, b], [4, 4])).not.toBe(first);
    expect(created).toMatchObject({ bindGroups: 4, uniformBuffers: 2 });
  });

  it('hands free buffers out in a fixed order whatever order they were freed in', () => {
    const { backend } = fakeBackend();
    const pool = backend.bufferManager;
    backend.dispatch({}, [], [1]); // installs the cache's hooks on this backend
    const buffers = [pool.acquire(32), pool.acquire(32), pool.acquire(32)];
    const order = (freed: number[]) => {
      for (const i of freed) pool.releaseBuffer(buffers[i]!);
      return [pool.acquire(32), pool.acquire(32), pool.acquire(32)].map((b) => b.name);
    };
    const first = order([1, 2, 0]);
    expect(order([0, 2, 1])).toEqual(first);
    expect(order([2, 1, 0])).toEqual(first);
  });

  it('drops uniform buffers only after the commands that use them are submitted', () => {
    const { backend, destroyed } = fakeBackend();
    for (let i = 0; i <= 8192; i++) backend.dispatch({}, [], [i]); // one past the cap
    expect(destroyed).toEqual([]);
    backend.submitQueue();
    expect(destroyed).toHaveLength(8192);
    backend.submitQueue();
    expect(destroyed).toHaveLength(8192);
  });
});

describe('bind group layouts', () => {
  it('answers the same layout object per pipeline and index', () => {
    let made = 0;
    class Pipeline {
      getBindGroupLayout(index: number) {
        made++;
        return { index };
      }
    }
    installLayoutMemo(Pipeline as unknown as { prototype: PipelineLike });
    const [p, q] = [new Pipeline(), new Pipeline()];
    expect(p.getBindGroupLayout(0)).toBe(p.getBindGroupLayout(0));
    expect(q.getBindGroupLayout(0)).not.toBe(p.getBindGroupLayout(0));
    expect(p.getBindGroupLayout(1)).toEqual({ index: 1 });
    expect(made).toBe(3);
  });
});
