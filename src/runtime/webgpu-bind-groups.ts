/**
 * Reuses WebGPU bind groups across dispatches that bind the same buffers.
 *
 * tfjs-backend-webgpu creates a bind group for every kernel it launches (and asks the pipeline for
 * its layout each time, which makes a new layout object). In a training loop the buffer pool hands
 * out the same buffers in the same order step after step, so most of those bind groups are exact
 * repeats. Creating one is the dearest host-side call of a dispatch (23 µs of 37 measured under
 * Dawn on Mesa's lavapipe), and a bind group is an immutable list of (buffer, offset, size): a
 * repeat can be the earlier object.
 */

interface BufferBindingLike {
  readonly buffer: object;
  readonly offset?: number;
  readonly size?: number;
}
interface BindGroupDescriptorLike {
  readonly layout: object;
  readonly entries: readonly { binding: number; resource: BufferBindingLike | object }[];
}
interface DevicePrototype {
  createBindGroup(descriptor: BindGroupDescriptorLike): object;
}
interface PipelinePrototype {
  getBindGroupLayout(index: number): object;
}

/** Bind groups kept at most; past it the cache starts over (a new working set, e.g. another model). */
const CAPACITY = 16384;

export interface BindGroupCacheStats {
  hits: number;
  misses: number;
}

export const bindGroupCacheStats: BindGroupCacheStats = { hits: 0, misses: 0 };

const ids = new WeakMap<object, number>();
let nextId = 1;
const idOf = (object: object): number => {
  let id = ids.get(object);
  if (id === undefined) {
    id = nextId++;
    ids.set(object, id);
  }
  return id;
};

/** The key of a descriptor whose resources are all buffer bindings; undefined otherwise. */
function keyOf(descriptor: BindGroupDescriptorLike): string | undefined {
  let key = `${idOf(descriptor.layout)}`;
  for (const { binding, resource } of descriptor.entries) {
    const buffer = (resource as Partial<BufferBindingLike>).buffer;
    if (!buffer) return undefined; // samplers, textures: not what tfjs's compute kernels bind
    const { offset = 0, size = -1 } = resource as BufferBindingLike;
    key += `|${binding}:${idOf(buffer)}:${offset}:${size}`;
  }
  return key;
}

/**
 * Patches Dawn's GPUDevice and GPUComputePipeline prototypes (from the `webgpu` package's
 * globals): layouts are memoised per pipeline so that equal bind groups have equal keys, and
 * bind groups per key. A destroyed buffer is never bound again by tfjs, so a cached group that
 * names one is never asked for.
 */
export function cacheBindGroups(globals: Record<string, unknown>): void {
  const device = (globals.GPUDevice as { prototype?: DevicePrototype } | undefined)?.prototype;
  const pipeline = (globals.GPUComputePipeline as { prototype?: PipelinePrototype } | undefined)
    ?.prototype;
  if (!device || !pipeline || (device.createBindGroup as { cached?: true }).cached) return;

  const layouts = new WeakMap<object, Map<number, object>>();
  const getLayout = pipeline.getBindGroupLayout;
  pipeline.getBindGroupLayout = function (this: object, index: number) {
    let byIndex = layouts.get(this);
    if (!byIndex) layouts.set(this, (byIndex = new Map()));
    let layout = byIndex.get(index);
    if (!layout) byIndex.set(index, (layout = getLayout.call(this, index)));
    return layout;
  };

  const groups = new Map<string, object>();
  const create = device.createBindGroup;
  const cached = function (this: object, descriptor: BindGroupDescriptorLike) {
    const key = keyOf(descriptor);
    if (key === undefined) return create.call(this, descriptor);
    const found = groups.get(key);
    if (found) {
      bindGroupCacheStats.hits++;
      return found;
    }
    bindGroupCacheStats.misses++;
    if (groups.size >= CAPACITY) groups.clear();
    const group = create.call(this, descriptor);
    groups.set(key, group);
    return group;
  };
  device.createBindGroup = Object.assign(cached, { cached: true as const });
}
