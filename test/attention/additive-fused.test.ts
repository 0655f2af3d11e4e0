import { beforeAll, describe, expect, it } from 'vitest';
import { additiveWeights } from '../../src/attention/additive-fused.js';
import { tf } from '../../src/runtime/tf.js';
import { hasKernel } from '../../src/runtime/webgpu-kernels.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** Bahdanau's weights in plain numbers: softmax over kept t of Σₐ v·tanh(q + k). */
function referenceWeights(q: number[][], k: number[][][], v: number[], keep?: number[][]) {
  return q.map((qb, b) => {
    const scores = k[b]!.map((kt) =>
      kt.reduce((s, kta, a) => s + v[a]! * Math.tanh(qb[a]! + kta), 0),
    );
    const kept = scores.map((_, t) => (keep ? keep[b]![t]! > 0 : true));
    const best = Math.max(...scores.filter((_, t) => kept[t]));
    const e = scores.map((s, t) => (kept[t] ? Math.exp(s - best) : 0));
    const total = e.reduce((x, y) => x + y, 0);
    return e.map((x) => (total > 0 ? x / total : 0));
  });
}

const largestGap = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, i) => row.map((w, t) => Math.abs(w - b[i]![t]!))));

describe('fused additive attention weights', () => {
  it('runs as our kernels on webgpu and native only', () => {
    expect(hasKernel('AttendAdditiveWeights')).toBe(['webgpu', 'native'].includes(tf.getBackend()));
  });

  it('equals the softmax of vᵀtanh(q + k) over kept keys; a row with none kept is all zeros', () => {
    tf.tidy(() => {
      // 70 keys: more than one workgroup's width, so threads take several keys each.
      const [b, tk, a] = [3, 70, 5];
      const q = tf.randomNormal([b, a], 0, 1, 'float32', 1) as tf.Tensor2D;
      const k = tf.randomNormal([b, tk, a], 0, 1, 'float32', 2) as tf.Tensor3D;
      const v = tf.randomNormal([a], 0, 2, 'float32', 3) as tf.Tensor1D;
      const keepRows = [0, 1, 2].map((row) =>
        Array.from({ length: tk }, (_, t) => (row === 2 ? 0 : Number(t < 40 + row * 20))),
      );
      const keep = tf.tensor2d(keepRows);
      const want = referenceWeights(
        q.arraySync(),
        k.arraySync(),
        Array.from(v.dataSync()),
        keepRows,
      );
      const got = additiveWeights(q, k, v, keep).arraySync();
      expect(largestGap(got, want)).toBeLessThan(1e-5);
      const unmasked = additiveWeights(q, k, v).arraySync();
      const wantAll = referenceWeights(q.arraySync(), k.arraySync(), Array.from(v.dataSync()));
      expect(largestGap(unmasked, wantAll)).toBeLessThan(1e-5);
    });
  });

  it('has the composite ops’ gradients for q, k and v', () => {
    tf.tidy(() => {
      const [b, tk, a] = [4, 9, 6];
      const q = tf.randomNormal([b, a], 0, 1, 'float32', 4);
      const k = tf.randomNormal([b, tk, a], 0, 1, 'float32', 5);
      const v = tf.randomNormal([a], 0, 1, 'float32', 6);
      const keep = tf.tensor2d(
        Array.from({ length: b }, (_, row) =>
          Array.from({ length: tk }, (_, t) => Number(t <= row + 5)),
        ),
      );
      const target = tf.randomNormal([b, tk], 0, 1, 'float32', 7);
      const composite = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => {
        const energy = tf.tanh(qq.expandDims(1).add(kk));
        const scores = energy.mul(vv).sum(2).add(tf.sub(1, keep).mul(-1e9));
        return tf.softmax(scores).mul(keep);
      };
      const loss =
        (f: (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) => tf.Tensor) =>
        (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
          f(qq, kk, vv).mul(target).sum();
      const fused = (qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
        additiveWeights(qq as tf.Tensor2D, kk as tf.Tensor3D, vv as tf.Tensor1D, keep);
      const got = tf.grads(loss(fused))([q, k, v]);
      const want = tf.grads(loss(composite))([q, k, v]);
      got.forEach((g, i) => {
        expect(g.shape).toEqual(want[i]!.shape);
        expect(g.sub(want[i]!).abs().max().dataSync()[0]).toBeLessThan(1e-5);
      });
    });
  });
});
