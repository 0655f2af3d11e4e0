import { beforeAll, describe, expect, it } from 'vitest';
import { dropout, maskDraw, seedDropout } from '../../src/nn/dropout.js';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

describe('dropout', () => {
  it('drops about `rate` of the elements and scales the rest so the mean is kept', () => {
    const x = tf.ones([200, 500]);
    const y = dropout(x, 0.3);
    const values = y.dataSync();
    const zeros = values.filter((v) => v === 0).length / values.length;
    expect(zeros).toBeGreaterThan(0.29);
    expect(zeros).toBeLessThan(0.31);
    expect(values.every((v) => v === 0 || Math.abs(v - 1 / 0.7) < 1e-5)).toBe(true);
    expect(y.mean().dataSync()[0]).toBeCloseTo(1, 1);
    tf.dispose([x, y]);
  });

  it('draws a new mask each call, passes rate 0 through and rejects rate 1', () => {
    const x = tf.ones([1000]);
    const a = dropout(x, 0.5).dataSync();
    const b = dropout(x, 0.5).dataSync();
    expect(a.some((v, i) => v !== b[i])).toBe(true);
    expect(dropout(x, 0)).toBe(x);
    expect(() => dropout(x, 1)).toThrow(/below 1/);
    x.dispose();
  });

  it('sends the gradient through the kept elements only, scaled', () => {
    const x = tf.variable(tf.ones([50, 40]));
    let mask: Float32Array = new Float32Array();
    const grads = tf.variableGrads(() => {
      const y = dropout(x, 0.25);
      mask = Float32Array.from(y.dataSync());
      return y.sum() as tf.Scalar;
    });
    const g = grads.grads[x.name]!.dataSync();
    expect(g.every((v, i) => Math.abs(v - mask[i]!) < 1e-6)).toBe(true);
    expect(g.some((v) => v === 0)).toBe(true);
    tf.dispose([x, grads.value, ...Object.values(grads.grads)]);
  });

  it('makes the same mask on every backend: the hash of each index under the seed', () => {
    // On webgpu the mask comes from a WGSL kernel; it must equal the JavaScript draw bit for bit.
    seedDropout(42);
    const seed = Math.imul(42, 2654435761) >>> 0;
    const x = tf.ones([3, 1000]);
    const y = dropout(x, 0.4);
    const threshold = Math.floor(0.4 * 0x100000000);
    const expected = Array.from({ length: 3000 }, (_, i) =>
      maskDraw(i, seed) < threshold ? 0 : 1 / 0.6,
    );
    const got = Array.from(y.dataSync());
    expect(got.filter((v, i) => Math.abs(v - expected[i]!) > 1e-6).length).toBe(0);
    // lowbias32 is no toy hash: neighbouring indices are not correlated.
    const kept = got.map((v) => (v === 0 ? 0 : 1));
    const agree = kept.slice(1).filter((k, i) => k === kept[i]).length / (kept.length - 1);
    expect(agree).toBeGreaterThan(0.45);
    expect(agree).toBeLessThan(0.58);
    tf.dispose([x, y]);
  });

  it('leaves no tensors behind but its output', () => {
    const x = tf.ones([10, 10]);
    const before = tf.memory().numTensors;
    const y = dropout(x, 0.5);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
  });
});
