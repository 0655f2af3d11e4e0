import { beforeAll, describe, expect, it } from 'vitest';
import { fusedMaskedSoftmax } from '../../src/attention/softmax-fused.js';
import { tf } from '../../src/runtime/tf.js';
import { hasKernel } from '../../src/runtime/webgpu-kernels.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

/** The tfjs ops the kernel replaces: scale, a −1e9 shift where masked, softmax, then × keep. */
function composite(unscaled: tf.Tensor, keep?: tf.Tensor, scale = 1): tf.Tensor {
  const scores = unscaled.mul(scale);
  if (!keep) return tf.softmax(scores);
  let k = keep.rank === 2 ? keep.expandDims(1) : keep;
  if (scores.rank === 4) k = k.expandDims(1);
  return tf.softmax(scores.add(tf.sub(1, k).mul(-1e9))).mul(k);
}

const gap = (a: tf.Tensor, b: tf.Tensor) => a.sub(b).abs().max().dataSync()[0]!;

describe('fused masked softmax', () => {
  it('runs as our kernel on cpu, native and webgpu', () => {
    expect(hasKernel('AttendMaskedSoftmax')).toBe(
      ['cpu', 'native', 'webgpu'].includes(tf.getBackend()),
    );
  });

  const cases: [string, number[], number[] | undefined, (i: number[]) => number][] = [
    [
      '[B, Tq, Tk] scores, [B, Tk] padding mask',
      [3, 2, 70],
      [3, 70],
      ([b, t]) => +(t! < 30 + 20 * b!),
    ],
    ['[B, H, Tq, Tk] scores, [B, Tk] mask', [2, 4, 3, 9], [2, 9], ([b, t]) => +(t! <= 4 + b!)],
    [
      '[B, H, Tq, Tk] scores, [1, Tq, Tk] causal mask',
      [2, 2, 5, 5],
      [1, 5, 5],
      ([, q, k]) => +(k! <= q!),
    ],
    [
      '[B, Tq, Tk] scores, [B, Tq, Tk] mask with an all-masked row',
      [2, 3, 6],
      [2, 3, 6],
      ([b, q, k]) => +(b === 1 && q === 2 ? 0 : k! !== q!),
    ],
    ['no mask', [2, 3, 80], undefined, () => 1],
  ];
  for (const [[name, shape, maskShape, keepAt], scale] of cases.flatMap((c) =>
    [1, 0.125].map((scale) => [c, scale] as const),
  )) {
    it(`equals the composite ops in value and gradient: ${name}, scale ${scale}`, () => {
      tf.tidy(() => {
        const scores = tf.randomNormal(shape, 0, 3, 'float32', shape.length);
        const keep = maskShape
          ? tf.tensor(
              Array.from({ length: maskShape.reduce((a, b) => a * b, 1) }, (_, flat) => {
                const index = maskShape.map((_, d) => {
                  const inner = maskShape.slice(d + 1).reduce((a, b) => a * b, 1);
                  return Math.floor(flat / inner) % maskShape[d]!;
                });
                return keepAt(index);
              }),
              maskShape,
            )
          : undefined;
        const target = tf.randomNormal(shape, 0, 1, 'float32', 9);
        const fused = fusedMaskedSoftmax(scores, keep, scale)!;
        expect(fused).toBeDefined();
        expect(gap(fused, composite(scores, keep, scale))).toBeLessThan(1e-6);
        const loss = (f: (s: tf.Tensor) => tf.Tensor) => (s: tf.Tensor) => f(s).mul(target).sum();
        const got = tf.grad(loss((s) => fusedMaskedSoftmax(s, keep, scale)!))(scores);
        const want = tf.grad(loss((s) => composite(s, keep, scale)))(scores);
        expect(gap(got, want)).toBeLessThan(1e-6);
      });
    });
  }
});
