import { beforeAll, describe, expect, it } from 'vitest';
import { conv2dSplitKGrad } from '../../src/nn/conv.js';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);

describe('conv2d with the split-K filter gradient', () => {
  type Shape = [number, number, number, number];
  const cases: [string, Shape, Shape, number, 'same' | 'valid'][] = [
    ['subsampling: valid, stride 2, one channel', [2, 15, 11, 1], [3, 3, 1, 4], 2, 'valid'],
    ['stem: same, stride 2, odd sizes', [2, 9, 8, 3], [3, 3, 3, 5], 2, 'same'],
    ['block: same, stride 1, rows past one group', [3, 40, 30, 2], [3, 3, 2, 3], 1, 'same'],
  ];
  it.each(cases)(
    '%s: value and both gradients equal tf.conv2d',
    (_, xShape, wShape, stride, pad) => {
      const x = tf.randomNormal(xShape, 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal(wShape, 0, 1, 'float32', 2) as tf.Tensor4D;
      const weight = (y: tf.Tensor) => tf.randomNormal(y.shape, 0, 1, 'float32', 3);
      const loss = (f: typeof tf.conv2d) => (a: tf.Tensor, b: tf.Tensor) => {
        const y = f(a as tf.Tensor4D, b as tf.Tensor4D, stride, pad);
        return y.mul(weight(y)).sum();
      };
      const ours = tf.grads(loss(conv2dSplitKGrad as typeof tf.conv2d))([x, w]);
      const theirs = tf.grads(loss(tf.conv2d))([x, w]);
      const y1 = conv2dSplitKGrad(x, w, stride, pad);
      const y2 = tf.conv2d(x, w, stride, pad);
      expect(y1.shape).toEqual(y2.shape);
      expect(maxDiff(y1, y2)).toBeLessThan(1e-4);
      expect(maxDiff(ours[0]!, theirs[0]!)).toBeLessThan(1e-4);
      expect(maxDiff(ours[1]!, theirs[1]!)).toBeLessThan(1e-3);
      // The filter gradient is not trivially zero (a wrong layout would still be caught above).
      expect(tf.tidy(() => theirs[1]!.abs().max().dataSync()[0]!)).toBeGreaterThan(0.1);
      tf.dispose([x, w, y1, y2, ...ours, ...theirs]);
    },
  );
});
