import { beforeAll, describe, expect, it } from 'vitest';
import { fusedLayerNorm, hasFusedLayerNorm } from '../../src/nn/layer-norm.js';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** The composite layer norm the fused kernel replaces. */
function reference(x: tf.Tensor, gain: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x
    .sub(mean)
    .mul(tf.rsqrt(variance.add(epsilon)))
    .mul(gain)
    .add(bias);
}

describe('fused layer norm', () => {
  it('has its one-pass kernel on cpu, native and webgpu, composite ops elsewhere', () => {
    expect(hasFusedLayerNorm()).toBe(['cpu', 'native', 'webgpu'].includes(tf.getBackend()));
  });

  it('matches the composite ops forward and in every gradient', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 5, 144], 2, 3, 'float32', 1); // rows wider than a workgroup
      const gain = tf.randomNormal([144], 1, 0.5, 'float32', 2);
      const bias = tf.randomNormal([144], 0, 0.5, 'float32', 3);
      const weights = tf.randomNormal([3, 5, 144], 0, 1, 'float32', 4);
      const grads = (f: typeof reference) =>
        tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(a, g, b, 1e-5).mul(weights).sum())(
          [x, gain, bias],
        );
      const close = (a: tf.Tensor, b: tf.Tensor) =>
        expect(a.sub(b).abs().max().dataSync()[0]).toBeLessThan(1e-4);
      close(fusedLayerNorm(x, gain, bias, 1e-5), reference(x, gain, bias, 1e-5));
      const fused = grads(fusedLayerNorm);
      const composite = grads(reference);
      fused.forEach((g, i) => {
        expect(g.shape).toEqual(composite[i]!.shape);
        close(g, composite[i]!);
      });
    });
  });

  it('normalises each row: mean 0 and variance 1 before gain and bias', () => {
    tf.tidy(() => {
      const x = tf.tensor2d([
        [1, 2, 3, 4],
        [10, 10, 10, 14],
      ]);
      const y = fusedLayerNorm(x, tf.ones([4]), tf.zeros([4]), 0);
      const { mean, variance } = tf.moments(y, -1);
      expect(Array.from(mean.dataSync()).every((m) => Math.abs(m) < 1e-6)).toBe(true);
      expect(Array.from(variance.dataSync()).every((v) => Math.abs(v - 1) < 1e-5)).toBe(true);
    });
  });
});
