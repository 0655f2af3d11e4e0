import { DEFAULT_CANDIDATES, wasm } from '../../src/runtime/candidates.js';
import { tryActivate } from '../../src/runtime/select.js';
import { tf } from '../../src/runtime/tf.js';

/**
 * The backend the exactness suite checks against cpu: ATTEND_BACKEND when set (so that
 * `ATTEND_BACKEND=webgpu npm run test:backend` checks the GPU), the native backend otherwise.
 */
export const UNDER_TEST = (() => {
  const id = process.env.ATTEND_BACKEND || 'native';
  const candidate = DEFAULT_CANDIDATES.find((c) => c.id === id);
  if (!candidate) throw new Error(`ATTEND_BACKEND=${id}: not a backend attend knows`);
  return candidate;
})();

/** Registers the backend under test if it can load; returns why not otherwise. */
export async function nativeUnavailableReason(): Promise<string | undefined> {
  return tryActivate(UNDER_TEST);
}

export async function ensureWasm(): Promise<string | undefined> {
  return tryActivate(wasm);
}

/** Runs fn with `backend` current and returns plain arrays (so results outlive the backend). */
export async function on<T>(backend: string, fn: () => T): Promise<T> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    return fn();
  } finally {
    await tf.setBackend(previous);
  }
}

/** max |a - b| / max(1, max |b|): relative to the reference's scale, robust near zero. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  }
  return worst / scale;
}

/** Deterministic pseudo-random floats in [-1, 1), the same on every backend. */
export function randomArray(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = ((state >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}
