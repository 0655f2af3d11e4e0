/**
 * CPU→GPU uploads through the queue for tfjs's WebGPU backend.
 *
 * tfjs uploads a tensor made from JavaScript values (every `tf.scalar` an op makes of a number
 * argument, every batch, every mask) by creating a fresh mapped staging buffer, copying into it and
 * destroying it later: a buffer allocation per upload, hundreds per training step. On an H100,
 * `createBuffer` was 12% of the host time of an ASR training step. `queue.writeBuffer` copies into
 * a pooled buffer through Dawn's own staging ring instead.
 *
 * Ordering: writes reach the queue before the commands tfjs has recorded but not yet submitted.
 * That is safe for the same reason tfjs's own uniform writes are: a buffer that pending commands
 * still read is not back in the pool until they are submitted (tfjs defers the release), so the
 * buffer written here is one no pending command uses.
 */

interface GpuBufferLike {
  readonly size: number;
}
interface TensorEntry {
  dtype: string;
  shape: number[];
  values?: ArrayLike<number> | null;
  resource?: unknown;
}
export interface WebGpuUploaderLike {
  tensorMap: { get(dataId: object): TensorEntry | undefined };
  bufferManager: { acquireBuffer(size: number, usage: number): GpuBufferLike };
  queue: { writeBuffer(buffer: GpuBufferLike, offset: number, data: ArrayBufferView): void };
  uploadToGPU(dataId: object): void;
}

/** GPUBufferUsage STORAGE | COPY_SRC | COPY_DST, what tfjs gives tensor buffers. */
const TENSOR_USAGE = 0x0080 | 0x0004 | 0x0008;

/** The 4-byte words tfjs keeps a dtype in on the GPU (bool and int32 as i32, the rest f32). */
function gpuWords(entry: TensorEntry): Float32Array | Int32Array {
  const values = entry.values!;
  const int = entry.dtype === 'int32' || entry.dtype === 'bool';
  if (int) return values instanceof Int32Array ? values : Int32Array.from(values);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

export function installQueueUpload(backendClass: { prototype: WebGpuUploaderLike }): void {
  const original = backendClass.prototype.uploadToGPU;
  backendClass.prototype.uploadToGPU = function (this: WebGpuUploaderLike, dataId: object) {
    const entry = this.tensorMap.get(dataId);
    // Strings, complex tensors, GPU-resident ones and empty ones: tfjs's own path.
    if (!entry || entry.resource != null || !entry.values || entry.values.length === 0)
      return original.call(this, dataId);
    if (entry.dtype !== 'float32' && entry.dtype !== 'int32' && entry.dtype !== 'bool')
      return original.call(this, dataId);
    const words = gpuWords(entry);
    const buffer = this.bufferManager.acquireBuffer(words.byteLength, TENSOR_USAGE);
    this.queue.writeBuffer(buffer, 0, words);
    entry.values = null; // as tfjs does: once uploaded, the CPU copy is dropped
    entry.resource = buffer;
  };
}
