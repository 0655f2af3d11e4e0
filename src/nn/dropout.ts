import { tf } from '../runtime/tf.js';

// xorshift32 state: random per process unless a training run seeds it (seedDropout).
let state = (Math.random() * 0xffffffff) >>> 0 || 1;

/** Makes the following dropout masks reproducible (a training run's --seed, e.g. to compare backends). */
export function seedDropout(seed: number): void {
  state = Math.imul(seed >>> 0, 2654435761) >>> 0 || 1;
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1/(1-rate). tf.dropout draws its mask with tfjs's JavaScript seedrandom and four kernels
 * (≈25 ms for 860k elements, a tenth of an ASR training step over ~20 calls); one integer
 * xorshift pass builds the scaled mask here in ≈2 ms, and a single multiply applies it.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number): T {
  if (rate <= 0) return x;
  if (rate >= 1) throw new Error(`dropout rate must be below 1, got ${rate}`);
  const mask = new Float32Array(x.size);
  const threshold = Math.floor(rate * 0x100000000); // drop when the 32-bit draw falls below
  const scale = 1 / (1 - rate);
  let s = state;
  for (let i = 0; i < mask.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    mask[i] = s >>> 0 < threshold ? 0 : scale;
  }
  state = s;
  return tf.tidy(() => x.mul(tf.tensor(mask, x.shape, 'float32'))) as T;
}
