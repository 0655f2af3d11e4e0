import { beforeAll, describe, expect, it } from 'vitest';
import type { Decoder } from '../../src/decoder/types.js';
import { tf } from '../../src/runtime/tf.js';
import { logSoftmaxRows, Stepper } from '../../src/search/stepper.js';
import { ready } from '../helpers/runtime.js';

beforeAll(() => ready);

describe('logSoftmaxRows', () => {
  it('normalises each row as tf.logSoftmax does, large logits included', () => {
    const values = [3, -1, 0.5, 1000, 1001, 999, -7, -7, -7];
    const expected = tf.tidy(() => tf.logSoftmax(tf.tensor2d(values, [3, 3])).arraySync()).flat();
    const got = logSoftmaxRows(Float32Array.from(values), 3);
    for (const [i, v] of got.entries()) expect(v).toBeCloseTo(expected[i]!, 5);
    for (let r = 0; r < 3; r++) {
      const mass = [0, 1, 2].reduce((s, v) => s + Math.exp(got[r * 3 + v]!), 0);
      expect(mass).toBeCloseTo(1, 6);
    }
  });
});

/** A decoder whose state is one tensor [B, 1] counting its steps; its logits favour token B's row. */
const countingDecoder = {
  initState: (memory: tf.Tensor3D) => ({ count: tf.zeros([memory.shape[0], 1]) }),
  step: (tokens: tf.Tensor1D, state: { count: tf.Tensor2D }) => ({
    logits: tf.oneHot(tokens, 3).toFloat().mul(4) as tf.Tensor2D,
    weights: tf.ones([tokens.shape[0], 2]) as tf.Tensor2D,
    state: { count: state.count.add(1) as tf.Tensor2D },
  }),
  selectState: (state: { count: tf.Tensor2D }, indices: tf.Tensor1D) => ({
    count: tf.gather(state.count, indices) as tf.Tensor2D,
  }),
} as unknown as Decoder;

describe('Stepper', () => {
  it('returns log-probabilities, keeps the state on an identity reorder, frees what it replaces', () => {
    const memory = tf.zeros([2, 2, 1]) as tf.Tensor3D;
    const mask = tf.ones([2, 2]) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const stepper = new Stepper(countingDecoder, memory, mask);
    const { logProbs } = stepper.step(Int32Array.from([0, 2]));
    expect(Math.exp(logProbs[0]!)).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 2), 5);
    expect(Math.exp(logProbs[5]!)).toBeCloseTo(Math.exp(4) / (Math.exp(4) + 2), 5);
    const state = stepper.state as unknown as { count: tf.Tensor2D };
    stepper.select(Int32Array.from([0, 1]));
    expect(stepper.state).toBe(state);
    stepper.select(Int32Array.from([1, 1]));
    expect((stepper.state as unknown as { count: tf.Tensor2D }).count.arraySync()).toEqual([
      [1],
      [1],
    ]);
    stepper.dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([memory, mask]);
  });
});
