import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../../src/runtime/tf.js';
import { clipByGlobalNorm } from '../../src/train/loop.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

describe('clipByGlobalNorm', () => {
  it('scales 200 gradients (a model-sized count) by one global norm, and leaves small ones alone', () => {
    tf.tidy(() => {
      // 200 tensors of [3] holding (1, 2, 2): each has norm 3, the global norm is 3·√200.
      const grads = Object.fromEntries(
        Array.from({ length: 200 }, (_, i) => [`g${i}`, tf.tensor1d([1, 2, 2])]),
      );
      const global = 3 * Math.sqrt(200);
      const clipped = clipByGlobalNorm(grads, 5);
      expect(Object.keys(clipped)).toHaveLength(200);
      const values = Array.from(clipped.g17!.dataSync());
      values.forEach((v, i) => {
        expect(v).toBeCloseTo(([1, 2, 2][i]! * 5) / global, 5);
      });
      const untouched = clipByGlobalNorm(grads, 1000);
      expect(Array.from(untouched.g0!.dataSync())).toEqual([1, 2, 2]);
    });
  });
});
