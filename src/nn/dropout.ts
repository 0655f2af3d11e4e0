import { tf } from '../runtime/tf.js';
import {
  ElementwiseProgram,
  hasKernel,
  registerWebGpuKernel,
  runKernel,
  runProgram,
} from '../runtime/webgpu-kernels.js';

// The seed of the next mask: random per process unless a training run seeds it (seedDropout).
let state = (Math.random() * 0xffffffff) >>> 0 || 1;

/** Makes the following dropout masks reproducible (a training run's --seed, e.g. to compare backends). */
export function seedDropout(seed: number): void {
  state = Math.imul(seed >>> 0, 2654435761) >>> 0 || 1;
}

/** The 32-bit draw of element `index` under `seed` (Wellons' lowbias32 mixer of a Weyl step). */
export function maskDraw(index: number, seed: number): number {
  let x = (Math.imul(index, 0x9e3779b9) + seed) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const KERNEL = 'AttendDropoutMask';
interface MaskAttrs {
  shape: number[];
  seed: number;
  threshold: number;
  scale: number;
}

/**
 * The same draw in WGSL: each element hashes its own index, so the mask is made on the GPU (one
 * dispatch, nothing uploaded) and equals the one the CPU backends make for the seed.
 */
const MASK_WGSL = `
  var x = u32(index) * 0x9e3779b9u + uniforms.seed;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  x = x ^ (x >> 16u);
  setOutputAtIndex(index, select(uniforms.scale, 0.0, x < uniforms.threshold));`;

registerWebGpuKernel(KERNEL, ({ backend, attrs }) => {
  const { shape, seed, threshold, scale } = attrs as unknown as MaskAttrs;
  const program = new ElementwiseProgram(
    'attendDropoutMask',
    [],
    shape,
    MASK_WGSL,
    'seed : u32, threshold : u32, scale : f32,',
  );
  return runProgram(
    backend,
    program,
    [],
    [
      { type: 'uint32', data: [seed] },
      { type: 'uint32', data: [threshold] },
      { type: 'float32', data: [scale] },
    ],
  );
});

function dropoutMask(shape: number[], seed: number, threshold: number, scale: number): tf.Tensor {
  if (hasKernel(KERNEL)) return runKernel(KERNEL, {}, { shape, seed, threshold, scale });
  const mask = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < mask.length; i++) mask[i] = maskDraw(i, seed) < threshold ? 0 : scale;
  return tf.tensor(mask, shape, 'float32');
}

/**
 * Inverted dropout: zeroes each element with probability `rate` and scales the rest by
 * 1/(1-rate). tf.dropout draws its mask with tfjs's JavaScript seedrandom and four kernels
 * (≈25 ms for 860k elements, a tenth of an ASR training step over ~20 calls); here a counter-based
 * hash makes the scaled mask in one pass (on the GPU where there is one: no upload) and a single
 * multiply applies it.
 */
export function dropout<T extends tf.Tensor>(x: T, rate: number): T {
  if (rate <= 0) return x;
  if (rate >= 1) throw new Error(`dropout rate must be below 1, got ${rate}`);
  const threshold = Math.floor(rate * 0x100000000); // drop when the 32-bit draw falls below
  const seed = state;
  state = maskDraw(0x5eed, state) || 1; // the next call's seed
  return tf.tidy(() => x.mul(dropoutMask([...x.shape], seed, threshold, 1 / (1 - rate)))) as T;
}
