import { beforeAll, describe, expect, it } from 'vitest';
import { AudioEncoder, type AudioEncoderConfig } from '../../src/encoders/audio.js';
import { depthwiseConv1d } from '../../src/encoders/conv-module.js';
import { ParamStore } from '../../src/nn/params.js';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';

beforeAll(() => ready);

const config: AudioEncoderConfig = {
  inputDim: 16,
  subsampleChannels: 4,
  dim: 32,
  layers: 2,
  ffnDim: 64,
  selfAttention: { kind: 'multi-head', heads: 2, dim: 32 },
  dropout: 0,
  convKernel: 5,
};

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number =>
  tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);

describe('audio encoder with Conformer convolution modules', () => {
  it('keeps padding out: an utterance encodes the same alone and beside a longer one', () => {
    const params = new ParamStore();
    const encoder = new AudioEncoder(config, params);
    tf.tidy(() => {
      const long = tf.randomNormal([1, 60, 16], 0, 1, 'float32', 3) as tf.Tensor3D;
      const short = tf.randomNormal([1, 36, 16], 0, 1, 'float32', 4) as tf.Tensor3D;
      const alone = encoder.encode(short, [36]);
      const padded = tf.concat([short, tf.zeros([1, 24, 16])], 1);
      const both = encoder.encode(tf.concat([long, padded], 0) as tf.Tensor3D, [60, 36]);
      expect(both.memory.shape).toEqual([2, 14, 32]);
      expect(both.lengths).toEqual([14, 8]);
      const valid = alone.lengths[0]!;
      const inBatch = both.memory.slice([1, 0, 0], [1, valid, 32]);
      expect(maxDiff(inBatch, alone.memory.slice([0, 0, 0], [1, valid, 32]))).toBeLessThan(1e-4);
    });
    params.dispose();
  });

  it('trains: every convolution parameter gets a gradient', () => {
    const params = new ParamStore();
    const encoder = new AudioEncoder(config, params);
    const x = tf.randomNormal([2, 40, 16], 0, 1, 'float32', 5) as tf.Tensor3D;
    const loss = () => encoder.encode(x, [40, 30], true).memory.square().mean() as tf.Scalar;
    tf.tidy(() => loss());
    const conv = Object.entries(params.variables()).filter(([name]) => name.includes('/conv/'));
    expect(conv.length).toBe(2 * 10); // per layer: 2 norms, 2 pointwise, 1 depthwise; each 2 tensors
    const { grads } = tf.variableGrads(
      loss,
      conv.map(([, v]) => v),
    );
    for (const [name, v] of conv)
      expect(
        tf.tidy(() => grads[v.name]!.abs().sum().dataSync()[0]!),
        name,
      ).toBeGreaterThan(0);
    tf.dispose(Object.values(grads));
    x.dispose();
    params.dispose();
  });

  it('is the plain encoder while its last projection is zero (how a trained model grows one)', () => {
    const params = new ParamStore();
    const withConv = new AudioEncoder(config, params);
    const plain = new AudioEncoder({ ...config, convKernel: undefined }, params);
    tf.tidy(() => {
      const x = tf.randomNormal([1, 40, 16], 0, 1, 'float32', 6) as tf.Tensor3D;
      withConv.encode(x, [40]); // creates every parameter
      for (const [name, v] of Object.entries(params.variables()))
        if (name.includes('/conv/pointwise2/')) v.assign(tf.zerosLike(v));
      expect(maxDiff(withConv.encode(x, [40]).memory, plain.encode(x, [40]).memory)).toBe(0);
    });
    params.dispose();
  });
});

describe('depthwise convolution over time', () => {
  it("equals tfjs's depthwiseConv2d with 'same' padding, gradients included", () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 11, 6], 0, 1, 'float32', 8) as tf.Tensor3D;
      const w = tf.randomNormal([5, 6], 0, 1, 'float32', 9);
      const reference = (a: tf.Tensor, f: tf.Tensor) =>
        tf
          .depthwiseConv2d(
            a.reshape([2, 11, 1, 6]) as tf.Tensor4D,
            f.reshape([5, 1, 6, 1]) as tf.Tensor4D,
            1,
            'same',
          )
          .reshape([2, 11, 6]);
      const ours = (a: tf.Tensor, f: tf.Tensor) => depthwiseConv1d(a as tf.Tensor3D, f);
      expect(maxDiff(ours(x, w), reference(x, w))).toBeLessThan(1e-5);
      const weights = tf.randomNormal([2, 11, 6], 0, 1, 'float32', 10);
      const grads = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
        tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b).mul(weights).sum())([x, w]);
      const [gx, gw] = grads(ours);
      const [rx, rw] = grads(reference);
      expect(maxDiff(gx!, rx!)).toBeLessThan(1e-4);
      expect(maxDiff(gw!, rw!)).toBeLessThan(1e-4);
    });
  });
});
