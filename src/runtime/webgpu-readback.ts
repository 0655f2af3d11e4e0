/**
 * Synchronous GPU→CPU reads (`dataSync`) for tfjs's WebGPU backend in Node.
 *
 * tfjs-backend-webgpu reads synchronously through OffscreenCanvas, which browsers have and Node
 * does not, so every `dataSync()` (the training loop's loss, beam search's scores, CTC) would
 * throw there. Dawn's Node binding finishes a buffer map in `wgpuInstanceProcessEvents`, which it
 * runs from a callback it hands to the global `setImmediate` (dawn/node AsyncRunner). We keep that
 * callback and call it in a loop until the staging buffer is mapped: the read completes without
 * returning to the event loop, as the browser's canvas path does.
 */

type Pump = () => void;

/** The callback Dawn schedules to process its events; any one of them pumps the same instance. */
let dawnPump: Pump | undefined;
let pumpWatchInstalled = false;

/**
 * Dawn's callback is a native function taking no arguments (made by Napi::Function::New). Promise
 * resolvers, which code passes to setImmediate all the time, are native too but take one.
 */
const isDawnPump = (fn: unknown): fn is Pump =>
  typeof fn === 'function' &&
  fn.length === 0 &&
  /\[native code\]/.test(Function.prototype.toString.call(fn));

/**
 * Wraps the global setImmediate to remember Dawn's event-processing callback (Node's own timers
 * never go through the global). Must run before Dawn starts any async work.
 */
export function watchDawnEvents(): void {
  if (pumpWatchInstalled) return;
  pumpWatchInstalled = true;
  const original = globalThis.setImmediate;
  const wrapped = ((callback: unknown, ...args: unknown[]) => {
    if (isDawnPump(callback)) dawnPump = callback;
    return (original as (...a: unknown[]) => NodeJS.Immediate)(callback, ...args);
  }) as typeof setImmediate;
  // Keep setImmediate's own properties (util.promisify's custom form among them).
  for (const key of Reflect.ownKeys(original)) {
    if (key === 'length' || key === 'name' || key === 'prototype') continue;
    Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key)!);
  }
  globalThis.setImmediate = wrapped;
}

/** The parts of tfjs-backend-webgpu's WebGPUBackend this module uses. */
interface WebGpuBuffer {
  readonly size: number;
  readonly mapState: string;
  mapAsync(mode: number): Promise<void>;
  getMappedRange(): ArrayBuffer;
  unmap(): void;
}
interface TensorEntry {
  dtype: string;
  values?: unknown;
  resource?: WebGpuBuffer;
  complexTensorInfos?: unknown;
}
export interface WebGpuBackendLike {
  tensorMap: { get(dataId: object): TensorEntry | undefined };
  bufferManager: {
    acquireBuffer(size: number, usage: number): WebGpuBuffer;
    releaseBuffer(buffer: WebGpuBuffer): void;
  };
  commandEncoder: { copyBufferToBuffer(...args: unknown[]): void } | null;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
  convertAndCacheOnCPU(dataId: object, values: unknown): unknown;
  readSync(dataId: object): unknown;
}

/** GPU enums as Dawn defines them (globals once Dawn is loaded). */
const MAP_READ = 0x0001;
const COPY_DST = 0x0008;
const MAP_MODE_READ = 0x0001;

const pauseCell = new Int32Array(new SharedArrayBuffer(4));

/** Longest a read may wait for the GPU before it is reported as stuck. */
const READ_TIMEOUT_MS = 30_000;

/** Copies a GPU buffer into a mappable one and waits, without yielding, until it maps. */
export function readBufferSync(backend: WebGpuBackendLike, buffer: WebGpuBuffer): ArrayBuffer {
  if (!dawnPump) throw new Error('WebGPU sync read: Dawn event processing was never seen');
  const staging = backend.bufferManager.acquireBuffer(buffer.size, COPY_DST | MAP_READ);
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.commandEncoder!.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
  backend.submitQueue();
  // A failed map only settles this promise on a later turn of the event loop, which a synchronous
  // read never reaches: such a read ends at the deadline instead.
  staging.mapAsync(MAP_MODE_READ).catch(() => {});
  const deadline = performance.now() + READ_TIMEOUT_MS;
  for (let tries = 0; staging.mapState !== 'mapped'; tries++) {
    if (performance.now() > deadline)
      throw new Error(
        `WebGPU sync read: the buffer did not map within ${READ_TIMEOUT_MS / 1000} s`,
      );
    // Each pump queues another setImmediate for later: after a short spin, pause 20 µs between
    // pumps so that a long GPU job does not leave a flood of them behind.
    if (tries > 64) Atomics.wait(pauseCell, 0, 0, 0.02);
    // The latest callback Dawn scheduled; any of them processes the same instance's events.
    dawnPump();
  }
  const values = staging.getMappedRange().slice(0);
  staging.unmap();
  backend.bufferManager.releaseBuffer(staging);
  return values;
}

/** Typed array of a dtype over raw bytes, as tfjs's util.convertBackendValuesAndArrayBuffer. */
function typedValues(bytes: ArrayBuffer, dtype: string): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'int32') return new Int32Array(bytes);
  if (dtype === 'bool') return Uint8Array.from(new Int32Array(bytes));
  return new Float32Array(bytes);
}

/**
 * Replaces WebGPUBackend.prototype.readSync where OffscreenCanvas is missing (Node): tensors that
 * live on the GPU are read with readBufferSync; the rest (CPU-resident, complex, strings) keep
 * tfjs's own path.
 */
export function installSyncReadback(backendClass: { prototype: WebGpuBackendLike }): void {
  if ('OffscreenCanvas' in globalThis) return;
  const original = backendClass.prototype.readSync;
  backendClass.prototype.readSync = function (this: WebGpuBackendLike, dataId: object) {
    const entry = this.tensorMap.get(dataId);
    if (!entry || entry.values != null || entry.complexTensorInfos || !entry.resource)
      return original.call(this, dataId);
    const values = typedValues(readBufferSync(this, entry.resource), entry.dtype);
    return this.convertAndCacheOnCPU(dataId, values);
  };
}

/** For tests: forget the captured callback. */
export function resetDawnPumpForTests(pump?: Pump): void {
  dawnPump = pump;
}
