import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { projectPath } from '../../paths.js';
import { BackendUnavailable, nativeBuildStatus } from '../candidates.js';
import { blasCoreSource, chooseBlasCore } from './blas-core.js';
import { readNativeTarget, targetMismatch } from './target.js';

/** The C kernels of native/src, as exported by native/src/addon.c. */
export interface NativeAddon {
  batchMatMul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    aOffsets: Int32Array,
    bOffsets: Int32Array,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
  ): void;
  /** dims: [B, inH, inW, inC, outH, outW, outC, fH, fW, sH, sW, dH, dW, padTop, padLeft] */
  conv2d(x: Float32Array, filter: Float32Array, y: Float32Array, dims: Int32Array): void;
  conv2dBackpropInput(
    dy: Float32Array,
    filter: Float32Array,
    dx: Float32Array,
    dims: Int32Array,
  ): void;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: Int32Array): void;
  /** out = a op b over shape, reading a and b through (broadcast) strides. */
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array,
  ): void;
  /** out (contiguous, shape) = x read from offset through strides. */
  stridedCopy(
    x: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    strides: Int32Array,
    offset: number,
  ): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /**
   * Row-wise softmax(scale * x) over kept keys (src/attention/softmax-fused.ts);
   * dims: [rows, cols, heads, queries, maskBatch, maskQueries].
   */
  maskedSoftmax(
    x: Float32Array,
    keep: Float32Array | null,
    out: Float32Array,
    dims: Int32Array,
    scale: number,
  ): void;
  /**
   * One query position's attention: weights [B, H, 1, Tk] and the merged-head context [B, 1, H·d];
   * dims: [B, H, Tk, d, maskBatch].
   */
  stepAttention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    keep: Float32Array | null,
    context: Float32Array,
    weights: Float32Array,
    dims: Int32Array,
    scale: number,
  ): void;
  /**
   * Additive attention of one query per item (src/attention/additive-fused.ts), dims [B, Tk, A]:
   * op 0 the weights [B, Tk] (q, k, v, keep); 1 the keys' gradient [B, Tk, A] (q, k, v, ds);
   * 2 v's gradient [A] (q, k, ds).
   */
  additive(
    op: 0 | 1 | 2,
    q: Float32Array,
    k: Float32Array,
    v: Float32Array | null,
    keep: Float32Array | null,
    ds: Float32Array | null,
    out: Float32Array,
    dims: Int32Array,
  ): void;
  /**
   * The LSTM cell's pointwise ops (native/src/kernels.h's ATTEND_LSTM_* order): z [B, 4H],
   * other and dy [B, H] (null where the op takes none), out [B, H] or, for the dz ops, [B, 4H].
   */
  lstm(
    op: number,
    z: Float32Array,
    other: Float32Array | null,
    dy: Float32Array | null,
    out: Float32Array,
    batch: number,
    units: number,
  ): void;
  /** Backward of softmax(scale * x): scale * w * (dw - sum(w * dw)) per row. */
  softmaxGrad(
    w: Float32Array,
    dw: Float32Array,
    out: Float32Array,
    rows: number,
    cols: number,
    scale: number,
  ): void;
  /**
   * op 0: layer norm of each row of x [rows, dim] then gain and bias (both null: the normalised
   * rows); op 1: its gradient for x from gain and dy.
   */
  layerNorm(
    op: 0 | 1,
    x: Float32Array,
    gain: Float32Array | null,
    bias: Float32Array | null,
    dy: Float32Array | null,
    out: Float32Array,
    dim: number,
    epsilon: number,
  ): void;
  /** Polyphase FIR resampling of samples into out (src/audio/polyphase.ts has the bank layout). */
  polyphase(
    samples: Float32Array,
    bank: Float32Array,
    out: Float32Array,
    up: number,
    down: number,
    width: number,
    reach: number,
  ): void;
  /** out[o, i] = op over r of x[o, r, i]; op: 0 sum, 1 mean, 2 max, 3 min. */
  reduce(
    op: number,
    x: Float32Array,
    out: Float32Array,
    outer: number,
    reduce: number,
    inner: number,
  ): void;
  /**
   * Depthwise convolution over time ('same' padding, K odd): op 0 y [B, T, C] from a = x, b = w
   * [K, C]; 1 dx from a = dy, b = w; 2 dw [K, C] from a = x, b = dy.
   */
  depthwise(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    batch: number,
    frames: number,
    channels: number,
    kernel: number,
  ): void;
  /** out = op(x) element-wise; alpha is Step's value at x <= 0. */
  unary(op: number, x: Float32Array, out: Float32Array, alpha: number): void;
  getThreads(): number;
  setThreads(n: number): void;
  blasConfig(): string;
}

const addonPath = projectPath('native', 'build', 'Release', 'attend_native.node');

let addon: NativeAddon | undefined;

/** Loads the addon once; throws BackendUnavailable with the install-time reason if absent. */
export function loadAddon(): NativeAddon {
  if (addon) return addon;
  if (!existsSync(addonPath)) throw new BackendUnavailable(nativeBuildStatus());
  const mismatch = targetMismatch(readNativeTarget());
  if (mismatch) throw new BackendUnavailable(mismatch);
  // OpenMP threads that spin after each parallel loop starve OpenBLAS's threads on a 2-core
  // machine (batched matMul ran 12x slower): make them sleep. Read by libgomp when it loads.
  process.env.OMP_WAIT_POLICY ??= 'passive';
  chooseBlasCore();
  let loaded: NativeAddon;
  try {
    loaded = createRequire(import.meta.url)(addonPath) as NativeAddon;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new BackendUnavailable(`native addon does not load: ${message}`);
  }
  // An addon built from older sources (code pulled, `npm run build:native` not run) lacks kernels
  // the TypeScript now calls: refuse it with the fix rather than fail mid-run.
  const missing = ADDON_FUNCTIONS.filter((name) => typeof loaded[name] !== 'function');
  if (missing.length > 0)
    throw new BackendUnavailable(
      `native addon is older than the code (no ${missing.join(', ')}): run npm run build:native`,
    );
  addon = loaded;
  return addon;
}

/** Every function of NativeAddon, checked when the addon loads. */
const ADDON_FUNCTIONS = [
  'batchMatMul',
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'binary',
  'stridedCopy',
  'softmax',
  'maskedSoftmax',
  'stepAttention',
  'softmaxGrad',
  'additive',
  'lstm',
  'depthwise',
  'layerNorm',
  'polyphase',
  'reduce',
  'unary',
  'getThreads',
  'setThreads',
  'blasConfig',
] as const satisfies readonly (keyof NativeAddon)[];
// Compile-time check that the list above names every function of the interface.
const listsEveryFunction: Exclude<keyof NativeAddon, (typeof ADDON_FUNCTIONS)[number]> extends never
  ? true
  : never = true;
void listsEveryFunction;

/** OpenBLAS's build and kernels and how they were chosen, where the addon is loaded. */
export function blasDescription(): string | undefined {
  return addon ? `${addon.blasConfig()} (${blasCoreSource})` : undefined;
}
