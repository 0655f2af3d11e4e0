import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { projectPath } from '../paths.js';
import { tf } from './tf.js';
import {
  installBindGroupCache,
  installLayoutMemo,
  type PipelineLike,
  type WebGpuBindingBackendLike,
} from './webgpu-bind-groups.js';
import { type AdapterInfo, adapterName, NO_ADAPTER, probeWebgpuAdapter } from './webgpu-probe.js';
import { installSyncReadback, type WebGpuBackendLike, watchDawnEvents } from './webgpu-readback.js';
import { installQueueUpload, type WebGpuUploaderLike } from './webgpu-upload.js';

/** Names users pass to `--backend` / `ATTEND_BACKEND`, in the automatic preference order. */
export const BACKEND_ORDER = [
  'tensorflow-gpu',
  'webgpu',
  'tensorflow',
  'native',
  'wasm',
  'cpu',
] as const;
export type BackendId = (typeof BACKEND_ORDER)[number];

export function isBackendId(name: string): name is BackendId {
  return (BACKEND_ORDER as readonly string[]).includes(name);
}

/** Thrown by a candidate that cannot load; the message is the one-line reason shown to users. */
export class BackendUnavailable extends Error {
  override readonly name = 'BackendUnavailable';
}

/** One way of running tfjs kernels. `load` imports and registers it; `activate` makes it current. */
export interface BackendCandidate {
  readonly id: BackendId;
  /** The name the backend is registered under in tfjs. */
  readonly tfName: string;
  readonly summary: string;
  /**
   * Imports and registers the backend; throws BackendUnavailable with the reason if it cannot.
   * `automatic`: chosen by the automatic order rather than named by the user.
   */
  load(context?: LoadContext): Promise<void>;
  /** Called after tf.setBackend succeeded: a last check (e.g. a GPU is really in use). */
  verify?(): void;
  /** Threads the backend computes with, once active. */
  threads(): number;
}

export interface LoadContext {
  readonly automatic: boolean;
}

/** The version every optional tfjs package must match, or it registers into another engine. */
export const TFJS_VERSION = tf.version_core;

/**
 * Imports an optional package, or throws BackendUnavailable saying why. `load` is a literal
 * `import('pkg')` where the package is always installed here (bundlers then take it along, as
 * the GPU-machine bundle needs); packages that may be absent are imported by name.
 */
async function importOptional(
  pkg: string,
  load: () => Promise<unknown> = () => import(pkg),
): Promise<unknown> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    const first = String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && first.includes(pkg)) {
      // tfjs packages must match tfjs-core's version; others (webgpu) take their latest.
      const spec = pkg.startsWith('@tensorflow/') ? `${pkg}@${TFJS_VERSION}` : pkg;
      throw new BackendUnavailable(`${pkg} is not installed (npm i ${spec})`);
    }
    throw new BackendUnavailable(`${pkg} is installed but does not load: ${first}`);
  }
}

interface NodeKernelBackend {
  isGPUPackage?: boolean;
  isUsingGpuDevice?: boolean;
}

/**
 * Loads libtensorflow through tfjs-node-gpu, or else tfjs-node. Both register as `tensorflow`, and
 * only one may be loaded per process, so the CPU candidate reuses a GPU package that loaded.
 */
async function loadNodeBinding(preferGpu: boolean): Promise<void> {
  if (tf.findBackend('tensorflow') !== null) return;
  if (preferGpu) {
    await importOptional('@tensorflow/tfjs-node-gpu');
    return;
  }
  await importOptional('@tensorflow/tfjs-node');
}

function nodeBackendInUse(): NodeKernelBackend {
  return tf.backend() as unknown as NodeKernelBackend;
}

// libtensorflow sizes its intra-op thread pool to the machine's cores.
const cpuCount = (): number => availableParallelism();

export const tensorflowGpu: BackendCandidate = {
  id: 'tensorflow-gpu',
  tfName: 'tensorflow',
  summary: 'libtensorflow with CUDA (@tensorflow/tfjs-node-gpu; CUDA 11.2, cuDNN 8.1)',
  load: () => loadNodeBinding(true),
  verify() {
    const backend = nodeBackendInUse();
    if (!backend.isGPUPackage) {
      throw new BackendUnavailable(
        'the loaded libtensorflow is the CPU build (@tensorflow/tfjs-node)',
      );
    }
    if (!backend.isUsingGpuDevice) {
      throw new BackendUnavailable('@tensorflow/tfjs-node-gpu loaded but sees no CUDA device');
    }
  },
  threads: cpuCount,
};

export const tensorflowCpu: BackendCandidate = {
  id: 'tensorflow',
  tfName: 'tensorflow',
  summary: 'libtensorflow on CPU (@tensorflow/tfjs-node)',
  async load() {
    try {
      await loadNodeBinding(false);
    } catch (error) {
      // A GPU build without a GPU still runs libtensorflow's CPU kernels.
      if (!(error instanceof BackendUnavailable)) throw error;
      try {
        await loadNodeBinding(true);
      } catch {
        throw error;
      }
    }
  },
  threads: cpuCount,
};

interface GpuAdapterLike {
  readonly info?: AdapterInfo;
}
interface GpuLike {
  requestAdapter(options?: object): Promise<GpuAdapterLike | null>;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** Dawn's Linux backend is Vulkan: without its loader there is no adapter (and Dawn warns). */
function vulkanLoaderPresent(): boolean {
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ];
  return dirs.some((dir) => existsSync(`${dir}/libvulkan.so.1`));
}

/**
 * Whether a backend factory is registered. tf.findBackend is no test for that: it starts an async
 * factory (WebGPU's asks for a device) and answers null until that has finished.
 */
function isRegistered(name: string): boolean {
  const engine = tf.engine() as unknown as { registryFactory: Record<string, unknown> };
  return name in engine.registryFactory;
}

/** The adapter WebGPU found, for `attend doctor`. */
export let webgpuAdapter: string | undefined;

/**
 * WebGPU through Dawn (npm `webgpu`): Vulkan on Linux, Metal on macOS, D3D12 on Windows, with
 * nothing but the GPU driver installed. tfjs-backend-webgpu reads navigator.gpu when it is
 * imported, so that is set first; without an adapter nothing is left referenced (a live
 * navigator.gpu keeps Node from exiting).
 */
export const webgpu: BackendCandidate = {
  id: 'webgpu',
  tfName: 'webgpu',
  get summary() {
    return `WebGPU on Dawn (webgpu + @tensorflow/tfjs-backend-webgpu)${webgpuAdapter ? `: ${webgpuAdapter}` : ''}`;
  },
  async load(context) {
    if (isRegistered('webgpu')) return;
    if (process.platform === 'linux' && !vulkanLoaderPresent()) {
      throw new BackendUnavailable(
        'no Vulkan loader (libvulkan.so.1): no GPU driver for WebGPU to use',
      );
    }
    if (context?.automatic) {
      // Look first from another process: on machines without a GPU, Dawn and the Vulkan loader
      // print warnings no user asked for, and desktops often have Mesa's lavapipe, a Vulkan CPU
      // rasteriser (3.5 GFLOP/s here, against 80-170 for the native backend).
      const probe = await probeWebgpuAdapter();
      if (!probe.found) throw new BackendUnavailable(probe.reason);
      if (probe.software)
        throw new BackendUnavailable(
          `software adapter (${probe.name}), slower than the CPU backends; --backend webgpu uses it anyway`,
        );
    }
    const dawn = (await importOptional('webgpu')) as DawnModule;
    watchDawnEvents(); // before Dawn's first async call: dataSync needs its event pump
    const gpu = dawn.create(dawnFlags());
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new BackendUnavailable(NO_ADAPTER);
    webgpuAdapter = adapterName(adapter.info ?? {});
    Object.assign(globalThis, dawn.globals);
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu },
      configurable: true,
      writable: true,
    });
    const backendModule = (await importOptional(
      '@tensorflow/tfjs-backend-webgpu',
      () => import('@tensorflow/tfjs-backend-webgpu'),
    )) as {
      WebGPUBackend: {
        prototype: WebGpuBackendLike & WebGpuUploaderLike & WebGpuBindingBackendLike;
      };
    };
    installSyncReadback(backendModule.WebGPUBackend);
    if (process.env.ATTEND_WEBGPU_QUEUE_UPLOAD !== '0')
      installQueueUpload(backendModule.WebGPUBackend);
    if (process.env.ATTEND_WEBGPU_BIND_GROUP_CACHE !== '0') {
      installLayoutMemo(dawn.globals.GPUComputePipeline as { prototype: PipelineLike });
      installBindGroupCache(backendModule.WebGPUBackend);
    }
    if (!isRegistered('webgpu'))
      throw new BackendUnavailable('@tensorflow/tfjs-backend-webgpu did not register');
    tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', webgpuSubmitBatch());
  },
  threads: () => 1,
};

/**
 * Dispatches tfjs queues before it submits them to the GPU (tfjs's own default is 15). A submit
 * costs the host a fixed ~0.2 ms, and training steps are host-bound. Measured on an H100
 * (training steps, b32): session 6, 15 → ASR 112-113 ms, caption 73-83; 40 → 104-105, 69-74;
 * 100 → 98-99, 70-77. Session 9 (bind groups cached, CTC on the GPU), one call: 40 → ASR 47.6,
 * caption 54.0; 100 → 41.4, 45.3; 200 → 39.8, 44.6. ATTEND_WEBGPU_SUBMIT_BATCH overrides it.
 */
export const WEBGPU_SUBMIT_BATCH = 100;
function webgpuSubmitBatch(): number {
  const value = Number(process.env.ATTEND_WEBGPU_SUBMIT_BATCH ?? WEBGPU_SUBMIT_BATCH);
  return Number.isInteger(value) && value > 0 ? value : WEBGPU_SUBMIT_BATCH;
}

/**
 * Dawn's own options, comma-separated in ATTEND_DAWN_FLAGS (e.g. `backend=null`: no GPU work at
 * all, which leaves exactly what dispatching costs the host).
 */
function dawnFlags(): string[] {
  return (process.env.ATTEND_DAWN_FLAGS ?? '').split(',').filter(Boolean);
}

/** Drops the WebGPU handle so the process can exit (Dawn keeps the event loop alive while referenced). */
export function releaseWebgpu(): void {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu) delete nav.gpu;
}

const nativeStatusFile = projectPath('native', 'build', 'status.txt');

/** Why the native addon is missing, as recorded by scripts/build-native.mjs at install. */
export function nativeBuildStatus(): string {
  if (!existsSync(nativeStatusFile))
    return 'the native addon was never built (run npm run build:native)';
  return readFileSync(nativeStatusFile, 'utf8').trim();
}

export const native: BackendCandidate = {
  id: 'native',
  tfName: 'native',
  summary: "attend's CPU backend: tfjs cpu kernels with OpenBLAS/C overrides (native/)",
  async load() {
    if (tf.findBackend('native') !== null) return;
    const { registerNativeBackend } = await import('./native/register.js');
    registerNativeBackend();
  },
  threads: () => {
    const backend = tf.findBackend('native') as unknown as { threads?: () => number } | null;
    return backend?.threads?.() ?? 1;
  },
};

interface WasmModule {
  getThreadsCount(): number;
}
let wasmModule: WasmModule | undefined;

export const wasm: BackendCandidate = {
  id: 'wasm',
  tfName: 'wasm',
  summary: 'WebAssembly with SIMD (@tensorflow/tfjs-backend-wasm), one thread in Node',
  async load() {
    wasmModule = (await importOptional('@tensorflow/tfjs-backend-wasm')) as WasmModule;
  },
  threads: () => wasmModule?.getThreadsCount() ?? 1,
};

export const cpu: BackendCandidate = {
  id: 'cpu',
  tfName: 'cpu',
  summary: 'pure JavaScript (@tensorflow/tfjs-backend-cpu), one thread',
  async load() {},
  threads: () => 1,
};

/** Every candidate, in the automatic preference order. */
export const DEFAULT_CANDIDATES: readonly BackendCandidate[] = [
  tensorflowGpu,
  webgpu,
  tensorflowCpu,
  native,
  wasm,
  cpu,
];
