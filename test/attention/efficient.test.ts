import { beforeAll, describe, expect, it } from 'vitest';
import { mergeHeads, splitHeads } from '../../src/attention/heads.js';
import { LinearAttention, linearWeights } from '../../src/attention/linear.js';
import { MultiHeadAttention } from '../../src/attention/multi-head.js';
import { SparseAttention, sparseWeightsToDense } from '../../src/attention/sparse.js';
import { buildPattern, denseMask } from '../../src/attention/sparse-patterns.js';
import type { SparsePatternConfig } from '../../src/attention/types.js';
import { dense } from '../../src/nn/layers.js';
import { ParamStore } from '../../src/nn/params.js';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

const B = 2;
const T = 11; // not a multiple of any block size used below
const D = 8;
const dims = { query: D, key: D, value: D };
const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => a.sub(b).abs().max().dataSync()[0]!;

const patterns: [string, SparsePatternConfig][] = [
  ['band', { type: 'band', width: 2 }],
  ['dilated', { type: 'dilated', width: 1, dilation: 3 }],
  ['block', { type: 'block', block: 4 }],
  ['random', { type: 'random', perRow: 3, seed: 5 }],
  ['global', { type: 'global', tokens: [0, 6] }],
  [
    'union (BigBird)',
    {
      type: 'union',
      parts: [
        { type: 'band', width: 1 },
        { type: 'global', tokens: [0] },
        { type: 'random', perRow: 2, seed: 1 },
      ],
    },
  ],
];

describe('sparse attention', () => {
  it('masks come out as expected on small cases', () => {
    const row = (config: SparsePatternConfig, q: number) =>
      (denseMask(buildPattern(config, 8)).arraySync() as number[][])[q]!;
    expect(row({ type: 'band', width: 1 }, 3)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    expect(row({ type: 'dilated', width: 1, dilation: 2 }, 3)).toEqual([0, 1, 0, 1, 0, 1, 0, 0]);
    expect(row({ type: 'block', block: 4 }, 5)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(row({ type: 'global', tokens: [2] }, 5)).toEqual([0, 0, 1, 0, 0, 0, 0, 0]);
    expect(row({ type: 'global', tokens: [2] }, 2)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    const random = row({ type: 'random', perRow: 3, seed: 9 }, 4);
    expect(random.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(row({ type: 'random', perRow: 3, seed: 9 }, 4)).toEqual(random); // deterministic
  });

  for (const [name, pattern] of patterns) {
    it(`${name}: the sparse computation equals full attention under the same mask`, () => {
      tf.tidy(() => {
        const params = new ParamStore();
        const sparse = new SparseAttention({ kind: 'sparse', heads: 2, dim: D, pattern }, params);
        const full = new MultiHeadAttention({ kind: 'multi-head', heads: 2, dim: D }, dims, params);
        const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 3) as tf.Tensor3D;
        const padding = tf.tensor2d([Array(T).fill(1), [...Array(T - 3).fill(1), 0, 0, 0]]);
        const sparseOut = sparse.attend({ query: x, keys: x, values: x, mask: padding });
        const patternMask = denseMask(buildPattern(pattern, T)).expandDims(0);
        const mask = patternMask.mul(padding.expandDims(1)) as tf.Tensor3D; // [B, T, T]
        const fullOut = full.attend({ query: x, keys: x, values: x, mask });
        expect(maxDiff(sparseOut.context, fullOut.context)).toBeLessThan(1e-5);
        const denseWeights = sparseWeightsToDense(sparse, sparseOut.weights, T);
        expect(maxDiff(denseWeights, fullOut.weights)).toBeLessThan(1e-6);
        params.dispose();
      });
    });
  }
});

describe('linear attention', () => {
  for (const causal of [false, true]) {
    it(`${causal ? 'causal' : 'bidirectional'}: equals its quadratic form`, () => {
      tf.tidy(() => {
        const params = new ParamStore();
        const linear = new LinearAttention({ kind: 'linear', heads: 2, dim: D, causal }, params);
        const x = tf.randomNormal([B, T, D], 0, 1, 'float32', 8) as tf.Tensor3D;
        const mask = causal
          ? undefined
          : tf.tensor2d([Array(T).fill(1), [...Array(T - 2).fill(1), 0, 0]]);
        const input = { query: x, keys: x, values: x, ...(mask ? { mask } : {}) };
        const out = linear.attend(input);
        const weights = linearWeights(linear, input); // [B, H, T, T], rows sum to 1
        const v = splitHeads(dense(params, x, D, { name: 'wv' }), 2);
        const quadratic = dense(params, mergeHeads(tf.matMul(weights, v)), D, { name: 'wo' });
        expect(maxDiff(out.context, quadratic)).toBeLessThan(1e-4);
        const sums = weights.sum(-1).dataSync();
        expect(Array.from(sums).every((s) => Math.abs(s - 1) < 1e-4)).toBe(true);
        params.dispose();
      });
    });
  }
});
