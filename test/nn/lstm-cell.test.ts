import { beforeAll, describe, expect, it } from 'vitest';
import { lstmPointwise } from '../../src/nn/lstm-cell.js';
import { tf } from '../../src/runtime/tf.js';
import { hasKernel } from '../../src/runtime/webgpu-kernels.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** The LSTM equations in tfjs ops, written out here rather than taken from the module. */
function reference(z: tf.Tensor2D, cPrev: tf.Tensor2D) {
  const h = cPrev.shape[1];
  const gate = (k: number) => z.slice([0, k * h], [-1, h]);
  const c = tf
    .sigmoid(gate(1).add(1))
    .mul(cPrev)
    .add(tf.sigmoid(gate(0)).mul(tf.tanh(gate(2))));
  return { c, h: tf.sigmoid(gate(3)).mul(tf.tanh(c)) };
}

describe('fused LSTM cell', () => {
  it('runs as our kernels on webgpu and native only', () => {
    expect(hasKernel('AttendLstmCell')).toBe(['webgpu', 'native'].includes(tf.getBackend()));
  });

  it('computes c and h as the LSTM equations say, element by element', () => {
    tf.tidy(() => {
      const units = 3;
      const z = tf.tensor2d([[0.5, -1, 2, 0.1, -0.3, 0.7, 1.5, -2, 0, 3, -1, 0.2]]);
      const cPrev = tf.tensor2d([[0.4, -0.6, 1.1]]);
      const { c, h } = lstmPointwise(z, cPrev);
      const zs = z.dataSync();
      const cs = cPrev.dataSync();
      for (let j = 0; j < units; j++) {
        const [i, f, g, o] = [0, 1, 2, 3].map((k) => zs[k * units + j]!) as number[];
        const cj = sigmoid(f! + 1) * cs[j]! + sigmoid(i!) * Math.tanh(g!);
        expect(c.dataSync()[j]).toBeCloseTo(cj, 5);
        expect(h.dataSync()[j]).toBeCloseTo(sigmoid(o!) * Math.tanh(cj), 5);
      }
    });
  });

  it('matches the composite ops in value and in both gradients, large pre-activations included', () => {
    tf.tidy(() => {
      const z = tf.randomNormal([5, 4 * 24], 0, 4, 'float32', 1) as tf.Tensor2D;
      const cPrev = tf.randomNormal([5, 24], 0, 2, 'float32', 2) as tf.Tensor2D;
      const [wc, wh] = [3, 4].map((s) => tf.randomNormal([5, 24], 0, 1, 'float32', s));
      const loss = (f: typeof reference) => (a: tf.Tensor, b: tf.Tensor) => {
        const { c, h } = f(a as tf.Tensor2D, b as tf.Tensor2D);
        return c.mul(wc!).sum().add(h.mul(wh!).sum());
      };
      const fused = lstmPointwise(z, cPrev);
      const ref = reference(z, cPrev);
      const close = (a: tf.Tensor, b: tf.Tensor) =>
        expect(a.sub(b).abs().max().dataSync()[0]).toBeLessThan(1e-5);
      close(fused.c, ref.c);
      close(fused.h, ref.h);
      const got = tf.grads(loss(lstmPointwise))([z, cPrev]);
      const want = tf.grads(loss(reference))([z, cPrev]);
      for (const [i, g] of got.entries()) close(g, want[i]!);
    });
  });
});
