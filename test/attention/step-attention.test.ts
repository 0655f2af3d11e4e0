import { beforeAll, describe, expect, it } from 'vitest';
import { mergeHeads } from '../../src/attention/heads.js';
import { maskedSoftmax } from '../../src/attention/masking.js';
import { stepAttention } from '../../src/attention/step-attention.js';
import { STEP_ATTENTION_KERNEL } from '../../src/runtime/kernel-names.js';
import { tf } from '../../src/runtime/tf.js';
import { hasKernel } from '../../src/runtime/webgpu-kernels.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** The ops the kernel replaces. */
function composite(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor | undefined,
  scale: number,
) {
  const weights = maskedSoftmax(tf.matMul(q, k, false, true), mask, scale);
  return { context: mergeHeads(tf.matMul(weights, v)), weights };
}

const gap = (a: tf.Tensor, b: tf.Tensor) => a.sub(b).abs().max().dataSync()[0]!;
const [B, H, TK, D] = [3, 4, 7, 8];
const inputs = () => ({
  q: tf.randomNormal([B, H, 1, D], 0, 1, 'float32', 1) as tf.Tensor4D,
  k: tf.randomNormal([B, H, TK, D], 0, 1, 'float32', 2) as tf.Tensor4D,
  v: tf.randomNormal([B, H, TK, D], 0, 1, 'float32', 3) as tf.Tensor4D,
});

describe('single-position attention kernel', () => {
  it('is a kernel on native only (elsewhere the ops run)', () => {
    expect(hasKernel(STEP_ATTENTION_KERNEL)).toBe(tf.getBackend() === 'native');
  });

  const masks: [string, () => tf.Tensor | undefined][] = [
    ['no mask', () => undefined],
    // item 1 keeps nothing (all-zero weights), item 2 its first four keys
    [
      '[B, Tk] padding mask',
      () =>
        tf.tensor2d([
          [1, 1, 1, 1, 1, 1, 1],
          [0, 0, 0, 0, 0, 0, 0],
          [1, 1, 1, 1, 0, 0, 0],
        ]),
    ],
    ['[1, 1, Tk] shared mask', () => tf.tensor3d([[[1, 0, 1, 1, 0, 1, 1]]])],
  ];
  for (const [name, mask] of masks) {
    it(`equals q·kᵀ, masked softmax and weights·v: ${name}`, () => {
      if (!hasKernel(STEP_ATTENTION_KERNEL)) return;
      tf.tidy(() => {
        const { q, k, v } = inputs();
        const fused = stepAttention(q, k, v, mask(), 0.3)!;
        const want = composite(q, k, v, mask(), 0.3);
        expect(fused.context.shape).toEqual([B, 1, H * D]);
        expect(fused.weights.shape).toEqual([B, H, 1, TK]);
        expect(gap(fused.weights, want.weights)).toBeLessThan(1e-6);
        expect(gap(fused.context, want.context)).toBeLessThan(1e-5);
      });
    });
  }

  it('steps aside while a gradient is recorded and for query-dependent masks', () => {
    const { q, k, v } = inputs();
    let inside: unknown = 'not called';
    tf.grad((x: tf.Tensor) => {
      inside = stepAttention(x as tf.Tensor4D, k, v, undefined, 1);
      return x.sum();
    })(q);
    expect(inside).toBeUndefined();
    const twoQueries = tf.ones([B, 2, TK]);
    expect(stepAttention(q, k, v, twoQueries, 1)).toBeUndefined();
  });
});
