import { beforeAll, describe, expect, it } from 'vitest';
import { createAttention } from '../../src/attention/registry.js';
import type { AttentionConfig } from '../../src/attention/types.js';
import { ParamStore } from '../../src/nn/params.js';
import { tf } from '../../src/runtime/tf.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

const B = 2;
const TQ = 3;
const TK = 7;
const D = 8;

function inputs(seed = 1) {
  return {
    query: tf.randomNormal([B, TQ, D], 0, 1, 'float32', seed) as tf.Tensor3D,
    keys: tf.randomNormal([B, TK, D], 0, 1, 'float32', seed + 1) as tf.Tensor3D,
    values: tf.randomNormal([B, TK, D], 0, 1, 'float32', seed + 2) as tf.Tensor3D,
    // second item has only 4 valid memory positions
    mask: tf.tensor2d([
      [1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 0, 0, 0],
    ]),
  };
}

const singleStepKinds: AttentionConfig[] = [
  { kind: 'dot' },
  { kind: 'scaled-dot' },
  { kind: 'general' },
  { kind: 'additive', units: 6 },
  { kind: 'multi-head', heads: 2, dim: 8 },
];

describe('attention weights', () => {
  for (const config of [
    ...singleStepKinds,
    { kind: 'location-aware', units: 6, filters: 4, kernelSize: 3 } as const,
  ]) {
    it(`${config.kind}: sum to 1 over unmasked keys, exactly 0 on masked ones`, () => {
      tf.tidy(() => {
        const params = new ParamStore();
        const attention = createAttention(config, { query: D, key: D, value: D }, params);
        const input = inputs();
        // location-aware runs one decoder step at a time
        const query =
          config.kind === 'location-aware' ? input.query.slice([0, 0, 0], [B, 1, D]) : input.query;
        const state = attention.initState(input.keys, input.values, input.mask);
        const out = attention.attend({ ...input, query: query as tf.Tensor3D, state });
        const weights = out.weights.rank === 4 ? out.weights : out.weights.expandDims(1); // [B, H, Tq, Tk]
        const sums = weights.sum(-1).arraySync() as number[][][];
        for (const row of sums.flat(2)) expect(row).toBeCloseTo(1, 5);
        const masked = weights.slice([1, 0, 0, 4], [1, -1, -1, 3]).dataSync();
        expect(Array.from(masked).every((w) => w === 0)).toBe(true);
        expect(out.context.shape).toEqual([B, query.shape[1], attention.contextDim]);
        params.dispose();
      });
    });
  }

  it('a [B, Tq, Tk] mask (causal) zeroes future keys', () => {
    tf.tidy(() => {
      const params = new ParamStore();
      const attention = createAttention(
        { kind: 'scaled-dot' },
        { query: D, key: D, value: D },
        params,
      );
      const x = tf.randomNormal([B, 5, D], 0, 1, 'float32', 4) as tf.Tensor3D;
      const causal = tf.linalg
        .bandPart(tf.ones([5, 5]), -1, 0)
        .expandDims(0)
        .tile([B, 1, 1]) as tf.Tensor3D;
      const { weights } = attention.attend({ query: x, keys: x, values: x, mask: causal });
      const w = weights.arraySync() as number[][][];
      for (let q = 0; q < 5; q++) for (let k = q + 1; k < 5; k++) expect(w[0]![q]![k]).toBe(0);
      expect(w[1]![0]![0]).toBeCloseTo(1, 6);
    });
  });
});

describe('scaled-dot and multi-head', () => {
  it('scaled-dot equals multi-head with one head and identity projections', () => {
    tf.tidy(() => {
      const input = inputs(7);
      const params = new ParamStore();
      const multi = createAttention(
        { kind: 'multi-head', heads: 1, dim: D },
        { query: D, key: D, value: D },
        params,
      );
      multi.attend(input); // creates the projections
      for (const [name, variable] of Object.entries(params.variables())) {
        variable.assign(name.endsWith('/w') ? tf.eye(D) : tf.zerosLike(variable));
      }
      const single = createAttention(
        { kind: 'scaled-dot' },
        { query: D, key: D, value: D },
        new ParamStore(),
      );
      const a = multi.attend(input);
      const b = single.attend(input);
      const diff = a.context.sub(b.context).abs().max().dataSync()[0]!;
      expect(diff).toBeLessThan(1e-5);
      expect(a.weights.squeeze([1]).sub(b.weights).abs().max().dataSync()[0]!).toBeLessThan(1e-6);
      params.dispose();
    });
  });
});

describe('local attention', () => {
  it('local-m keeps only the window around the decoding step', () => {
    tf.tidy(() => {
      const params = new ParamStore();
      const attention = createAttention(
        { kind: 'dot', local: { type: 'monotonic', width: 1 } },
        { query: D, key: D, value: D },
        params,
      );
      const input = inputs(3);
      const out = attention.attend({ ...input, state: { step: 2 } }); // queries at steps 2, 3, 4
      const w = out.weights.arraySync() as number[][][];
      for (let q = 0; q < TQ; q++) {
        for (let k = 0; k < TK; k++) {
          const inside = Math.abs(k - (2 + q)) <= 1;
          if (!inside) expect(w[0]![q]![k]).toBe(0);
        }
        expect(w[0]![q]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      expect(out.state.step).toBe(5);
    });
  });

  it('local-p predicts a centre, keeps a window around it and weights it with a Gaussian', () => {
    tf.tidy(() => {
      const params = new ParamStore();
      const attention = createAttention(
        { kind: 'general', local: { type: 'predictive', width: 2 } },
        { query: D, key: D, value: D },
        params,
      );
      const out = attention.attend(inputs(5));
      const w = out.weights.arraySync() as number[][][];
      for (const row of w.flat(1)) {
        const nonzero = row.map((x, k) => (x > 0 ? k : -1)).filter((k) => k >= 0);
        expect(nonzero.length).toBeGreaterThan(0);
        expect(Math.max(...nonzero) - Math.min(...nonzero)).toBeLessThanOrEqual(4);
        expect(row.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-6);
      }
      // the predictor gets a gradient through the Gaussian
      const grads = tf.variableGrads(() => attention.attend(inputs(5)).context.sum() as tf.Scalar);
      const centre = grads.grads[params.variables()['local/v/w']!.name]!;
      expect(centre.abs().sum().dataSync()[0]).toBeGreaterThan(0);
      params.dispose();
    });
  });
});

describe('hard attention', () => {
  it('picks one position: the argmax at inference, a sample with its log-probability in training', () => {
    tf.tidy(() => {
      const params = new ParamStore();
      const soft = createAttention(
        { kind: 'additive', units: 6 },
        { query: D, key: D, value: D },
        params,
      );
      const hard = createAttention(
        { kind: 'additive', units: 6, mode: 'hard' },
        { query: D, key: D, value: D },
        params,
      );
      const input = inputs(9);
      const softWeights = soft.attend(input).weights;
      const inference = hard.attend(input);
      expect(Array.from(inference.weights.argMax(-1).dataSync())).toEqual(
        Array.from(softWeights.argMax(-1).dataSync()),
      );
      expect(Array.from(inference.weights.sum(-1).dataSync()).every((s) => s === 1)).toBe(true);
      expect(inference.sampleLogProb).toBeUndefined();
      const training = hard.attend({ ...input, training: true });
      const picked = training.weights.argMax(-1);
      // never samples a masked position
      expect(Array.from(picked.slice([1, 0], [1, TQ]).dataSync()).every((k) => k < 4)).toBe(true);
      const expected = tf.log(softWeights.mul(training.weights).sum(-1));
      expect(training.sampleLogProb!.sub(expected).abs().max().dataSync()[0]).toBeLessThan(1e-4);
      // context is exactly the picked value vector
      const value = tf.matMul(training.weights as tf.Tensor3D, input.values);
      expect(training.context.sub(value).abs().max().dataSync()[0]).toBe(0);
      params.dispose();
    });
  });
});

describe('gradients of every scorer', () => {
  const configs: AttentionConfig[] = [
    ...singleStepKinds,
    { kind: 'location-aware', units: 4, filters: 3, kernelSize: 3 },
    { kind: 'linear', heads: 2, dim: 8 },
    { kind: 'sparse', heads: 2, dim: 8, pattern: { type: 'band', width: 2 } },
  ];
  for (const config of configs) {
    it(`${config.kind}: finite and equal to finite differences`, () => {
      const params = new ParamStore();
      const attention = createAttention(config, { query: D, key: D, value: D }, params);
      const input = inputs(11);
      // Inputs are differentiated too (dot and scaled-dot have no parameters of their own).
      const selfAttention = config.kind === 'linear' || config.kind === 'sparse';
      const query = tf.variable(selfAttention ? input.keys : input.query, true, 'input/query');
      const loss = (): tf.Scalar =>
        tf.tidy(() => {
          const q = config.kind === 'location-aware' ? query.slice([0, 0, 0], [B, 1, D]) : query;
          const keys = selfAttention ? (query as tf.Tensor3D) : input.keys;
          const values = selfAttention ? (query as tf.Tensor3D) : input.values;
          const base = { query: q as tf.Tensor3D, keys, values, mask: input.mask };
          const state = attention.initState(base.keys, base.values, base.mask);
          const { context } = attention.attend({ ...base, state });
          return context
            .mul(tf.linspace(-1, 1, context.size).reshape(context.shape))
            .sum() as tf.Scalar;
        });
      loss().dispose(); // creates the parameters
      const variables = { 'input/query': query, ...params.variables() };
      const { grads } = tf.variableGrads(loss, Object.values(variables));
      const eps = 1e-2;
      for (const [name, variable] of Object.entries(variables)) {
        const grad = grads[variable.name]!.dataSync();
        expect(Array.from(grad).every(Number.isFinite), name).toBe(true);
        const values = variable.dataSync().slice();
        for (const index of [0, Math.floor(values.length / 2), values.length - 1]) {
          const at = (delta: number) => {
            const shifted = values.slice();
            shifted[index] = shifted[index]! + delta;
            variable.assign(tf.tensor(shifted, variable.shape));
            const value = loss();
            const result = value.dataSync()[0]!;
            value.dispose();
            return result;
          };
          const numeric = (at(eps) - at(-eps)) / (2 * eps);
          variable.assign(tf.tensor(values, variable.shape));
          expect(grad[index]!, `${name}[${index}]`).toBeCloseTo(numeric, 2);
        }
      }
      tf.dispose([...Object.values(grads), query]);
      params.dispose();
    });
  }
});
