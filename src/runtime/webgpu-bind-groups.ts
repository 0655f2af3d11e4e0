/**
 * Bind groups made once and reused, for tfjs's WebGPU backend.
 *
 * tfjs makes a fresh bind group for every dispatch: a pooled uniform buffer written with the
 * shapes, then `device.createBindGroup` over it and the tensors' buffers. In Dawn's Node binding
 * `createBindGroup` is the dearest call a dispatch makes (15 µs on Dawn's null backend, 38 µs on
 * lavapipe, of the 30-49 µs a whole dispatch costs the host). A training step repeats itself: the
 * same shaders, the same shapes and, since tfjs's buffer pool hands buffers back in the same
 * order, mostly the same buffers. So:
 *
 * - uniforms are content-addressed: one immutable buffer per distinct uniform content, written
 *   once when made (no write can race a pending dispatch that reads it);
 * - bind groups are cached by layout and the exact buffers bound. A storage buffer reused for
 *   another tensor is still the same buffer, so the cached bind group binds the right memory.
 *
 * Both caches are bounded; when the uniforms overflow, their buffers are destroyed after the
 * next submit (never while recorded commands still use them) and the bind groups are dropped.
 */

/** One field of a program's uniform block, as tfjs lists them (NaN, Infinity, shapes, ...). */
export interface UniformField {
  type: string;
  data: number[];
}
export interface GpuBufferLike {
  destroy(): void;
}
interface BufferBinding {
  buffer: GpuBufferLike;
  offset?: number;
  size?: number;
}
interface BindGroupDescriptor {
  layout: object;
  entries: { binding: number; resource: unknown }[];
}
export interface GpuDeviceLike {
  createBindGroup(descriptor: BindGroupDescriptor): unknown;
  createBuffer(descriptor: { size: number; usage: number }): GpuBufferLike;
}
/** The parts of tfjs-backend-webgpu's WebGPUBackend this module uses. */
export interface WebGpuBindingBackendLike {
  device: GpuDeviceLike;
  bufferManager: BufferPoolLike;
  queue: { writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBuffer): void };
  makeUniforms(fields: UniformField[]): BufferBinding;
  submitQueue(): void;
}
/** tfjs's BufferManager: free buffers in lists keyed `${size}_${usage}`, taken with pop(). */
export interface BufferPoolLike {
  freeBuffers: Map<string, object[]>;
  releaseBuffer(buffer: PooledBuffer, reuse?: boolean): void;
}
interface PooledBuffer {
  readonly size: number;
  readonly usage: number;
}
export interface PipelineLike {
  getBindGroupLayout(index: number): object;
}

/** GPUBufferUsage UNIFORM | COPY_DST. */
const UNIFORM_USAGE = 0x0040 | 0x0008;
const UNIFORM_CAP = 8192;
const BIND_GROUP_CAP = 16384;

/**
 * Byte offsets of the fields in the WGSL struct tfjs declares for them (i32/u32/f32 scalars and
 * vectors; tfjs spells lengths 5 and 6 as arrays aligned to 16), and the struct's size.
 */
export function uniformLayout(fields: readonly UniformField[]): {
  offsets: number[];
  size: number;
} {
  const offsets: number[] = [];
  let offset = 0;
  let structAlign = 1;
  let previousLength = 0;
  for (const field of fields) {
    const length = Math.max(field.data.length, 1);
    if (length > 6) throw new Error(`uniform of ${length} values: tfjs declares at most 6`);
    let align = length === 1 ? 4 : length === 2 ? 8 : 16;
    if (previousLength === 5 || previousLength === 6) align = 16; // after an array<i32, 5|6>
    structAlign = Math.max(structAlign, align);
    offset = Math.ceil(offset / align) * align;
    offsets.push(offset);
    offset += length * 4;
    previousLength = length;
  }
  return { offsets, size: Math.ceil(offset / structAlign) * structAlign };
}

/** The bytes of a uniform block (an empty field holds a 1, as tfjs writes it). */
export function packUniforms(fields: readonly UniformField[]): ArrayBuffer {
  const { offsets, size } = uniformLayout(fields);
  const bytes = new ArrayBuffer(size);
  fields.forEach((field, i) => {
    const data = field.data.length === 0 ? [1] : field.data;
    const offset = offsets[i]!;
    if (field.type === 'int32') new Int32Array(bytes, offset, data.length).set(data);
    else if (field.type === 'uint32') new Uint32Array(bytes, offset, data.length).set(data);
    else new Float32Array(bytes, offset, data.length).set(data);
  });
  return bytes;
}

export interface BindGroupCacheStats {
  hits: number;
  misses: number;
}
const stats: BindGroupCacheStats = { hits: 0, misses: 0 };
/** Counts since the process started: how often a dispatch found its bind group ready. */
export function bindGroupCacheStats(): BindGroupCacheStats {
  return { ...stats };
}

/** Small integer names for GPU objects, to build cache keys from. */
const objectIds = new WeakMap<object, number>();
let nextObjectId = 1;
function idOf(object: object): number {
  let id = objectIds.get(object);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(object, id);
  }
  return id;
}

/** The cache key of a bind group whose every entry binds a buffer; undefined otherwise. */
function bindGroupKey(descriptor: BindGroupDescriptor): string | undefined {
  let key = String(idOf(descriptor.layout));
  for (const { binding, resource } of descriptor.entries) {
    const buffer = (resource as BufferBinding | null)?.buffer;
    if (typeof buffer !== 'object' || buffer === null) return undefined; // a texture view
    const { offset = 0, size = -1 } = resource as BufferBinding;
    key += `|${binding}:${idOf(buffer)}:${offset}:${size}`;
  }
  return key;
}

/**
 * `getBindGroupLayout` answers a new JavaScript object each call; the same one per pipeline and
 * index lets bind groups be keyed by their layout.
 */
export function installLayoutMemo(pipelineClass: { prototype: PipelineLike }): void {
  const original = pipelineClass.prototype.getBindGroupLayout;
  const layouts = new WeakMap<object, object[]>();
  pipelineClass.prototype.getBindGroupLayout = function (this: PipelineLike, index: number) {
    let byIndex = layouts.get(this);
    if (!byIndex) {
      byIndex = [];
      layouts.set(this, byIndex);
    }
    byIndex[index] ??= original.call(this, index);
    return byIndex[index];
  };
}

interface BackendCaches {
  uniforms: Map<string, BufferBinding>;
  bindGroups: Map<string, unknown>;
  /** Uniform buffers dropped from the cache, destroyed after the next submit. */
  retired: GpuBufferLike[];
}

export function installBindGroupCache(backendClass: { prototype: WebGpuBindingBackendLike }): void {
  const caches = new WeakMap<object, BackendCaches>();
  function cachesOf(backend: WebGpuBindingBackendLike): BackendCaches {
    let entry = caches.get(backend);
    if (!entry) {
      entry = { uniforms: new Map(), bindGroups: new Map(), retired: [] };
      caches.set(backend, entry);
      wrapCreateBindGroup(backend.device, entry);
      orderFreeBuffers(backend.bufferManager);
    }
    return entry;
  }

  backendClass.prototype.makeUniforms = function (
    this: WebGpuBindingBackendLike,
    fields: UniformField[],
  ) {
    const own = cachesOf(this);
    const bytes = packUniforms(fields);
    const key = new Int32Array(bytes).join(',');
    let binding = own.uniforms.get(key);
    if (!binding) {
      if (own.uniforms.size >= UNIFORM_CAP) {
        for (const old of own.uniforms.values()) own.retired.push(old.buffer);
        own.uniforms.clear();
        own.bindGroups.clear();
      }
      const buffer = this.device.createBuffer({ size: bytes.byteLength, usage: UNIFORM_USAGE });
      this.queue.writeBuffer(buffer, 0, bytes);
      binding = { offset: 0, size: bytes.byteLength, buffer };
      own.uniforms.set(key, binding);
    }
    return binding;
  };

  const submit = backendClass.prototype.submitQueue;
  backendClass.prototype.submitQueue = function (this: WebGpuBindingBackendLike) {
    submit.call(this);
    const own = caches.get(this);
    if (own?.retired.length) {
      for (const buffer of own.retired) buffer.destroy();
      own.retired = [];
    }
  };
}

/**
 * tfjs's pool hands back the buffer freed last, so which buffer a tensor gets depends on the
 * order earlier tensors were freed in, and that differs from step to step (5 in 6 bind groups of
 * a caption training step missed the cache). Kept sorted, the pool always hands out the free
 * buffer seen first: a step that repeats its requests gets the same buffers back.
 */
function orderFreeBuffers(pool: BufferPoolLike): void {
  const release = pool.releaseBuffer.bind(pool);
  pool.releaseBuffer = (buffer: PooledBuffer, reuse = true) => {
    release(buffer, reuse);
    if (!reuse) return;
    const list = pool.freeBuffers.get(`${buffer.size}_${buffer.usage}`);
    if (!list || list[list.length - 1] !== buffer) return;
    list.pop();
    // Descending ids: pop() takes the lowest.
    const id = idOf(buffer);
    let low = 0;
    let high = list.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (idOf(list[middle]!) > id) low = middle + 1;
      else high = middle;
    }
    list.splice(low, 0, buffer);
  };
}

function wrapCreateBindGroup(device: GpuDeviceLike, own: BackendCaches): void {
  const create = device.createBindGroup.bind(device);
  device.createBindGroup = (descriptor: BindGroupDescriptor) => {
    const key = bindGroupKey(descriptor);
    if (key === undefined) return create(descriptor);
    let group = own.bindGroups.get(key);
    if (group !== undefined) {
      stats.hits++;
      return group;
    }
    stats.misses++;
    if (own.bindGroups.size >= BIND_GROUP_CAP) own.bindGroups.clear();
    group = create(descriptor);
    own.bindGroups.set(key, group);
    return group;
  };
}
