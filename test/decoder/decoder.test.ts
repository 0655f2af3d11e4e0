import { beforeAll, describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decoder/index.js';
import type { DecoderConfig } from '../../src/decoder/types.js';
import { ParamStore } from '../../src/nn/params.js';
import { tf } from '../../src/runtime/tf.js';
import { beamSearch, decode, greedySearch } from '../../src/search/index.js';
import type { PrefixScorer } from '../../src/search/scorer.js';
import {
  doublyStochasticPenalty,
  reinforceSurrogate,
  sequenceCrossEntropy,
} from '../../src/train/losses.js';
import { ready } from '../helpers/runtime.js';

beforeAll(async () => {
  await ready;
});

const B = 2;
const T = 6;
const MEM = 12;
const V = 9;

const configs: [string, DecoderConfig][] = [
  [
    'recurrent + location-aware',
    {
      type: 'recurrent',
      vocabSize: V,
      memoryDim: MEM,
      embedDim: 8,
      units: 16,
      layers: 2,
      attention: { kind: 'location-aware', units: 8, filters: 4, kernelSize: 3 },
      inputFeeding: true,
      gate: true,
      dropout: 0,
    },
  ],
  [
    'recurrent + additive',
    {
      type: 'recurrent',
      vocabSize: V,
      memoryDim: MEM,
      embedDim: 8,
      units: 16,
      layers: 1,
      attention: { kind: 'additive', units: 8 },
      inputFeeding: true,
      gate: false,
      dropout: 0,
    },
  ],
  [
    'recurrent + multi-head',
    {
      type: 'recurrent',
      vocabSize: V,
      memoryDim: MEM,
      embedDim: 8,
      units: 16,
      layers: 1,
      attention: { kind: 'multi-head', heads: 2, dim: 8 },
      inputFeeding: false,
      gate: false,
      dropout: 0,
    },
  ],
  [
    'transformer',
    {
      type: 'transformer',
      vocabSize: V,
      memoryDim: MEM,
      dim: 16,
      heads: 2,
      layers: 2,
      ffnDim: 32,
      dropout: 0,
    },
  ],
  [
    'transformer + additive cross-attention',
    {
      type: 'transformer',
      vocabSize: V,
      memoryDim: MEM,
      dim: 16,
      heads: 2,
      layers: 1,
      ffnDim: 32,
      crossAttention: { kind: 'additive', units: 8 },
      dropout: 0,
    },
  ],
];

function memoryBatch() {
  return {
    memory: tf.randomNormal([B, T, MEM], 0, 1, 'float32', 2) as tf.Tensor3D,
    mask: tf.tensor2d([
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0, 0],
    ]),
    inputs: tf.tensor2d(
      [
        [1, 4, 5, 6, 3],
        [1, 7, 3, 8, 8],
      ],
      [B, 5],
      'int32',
    ),
  };
}

/** A decoder of `config` with its parameters made (one forward pass) and a memory batch for it. */
function builtDecoder(config: DecoderConfig) {
  const params = new ParamStore();
  const decoder = createDecoder(config, params);
  const { memory, mask, inputs } = memoryBatch();
  decoder.forward(memory, mask, inputs).logits.dispose();
  return {
    decoder,
    memory,
    mask,
    dispose: () => {
      tf.dispose([memory, mask, inputs]);
      params.dispose();
    },
  };
}

describe('the shared decoder', () => {
  for (const [name, config] of configs) {
    it(`${name}: shapes, and step-by-step logits equal teacher-forced logits`, () => {
      tf.tidy(() => {
        const params = new ParamStore();
        const decoder = createDecoder(config, params);
        const { memory, mask, inputs } = memoryBatch();
        const forced = decoder.forward(memory, mask, inputs);
        expect(forced.logits.shape).toEqual([B, 5, V]);
        expect(forced.weights.shape).toEqual([B, 5, T]);
        const sums = forced.weights.sum(-1).dataSync();
        expect(Array.from(sums).every((s) => Math.abs(s - 1) < 1e-5)).toBe(true);
        expect(forced.weights.slice([1, 0, 3], [1, 5, 3]).abs().max().dataSync()[0]).toBe(0);
        let state = decoder.initState(memory, mask);
        const columns = tf.unstack(inputs, 1) as tf.Tensor1D[];
        columns.forEach((tokens, t) => {
          const out = decoder.step(tokens, state);
          const expected = forced.logits.slice([0, t, 0], [B, 1, V]).squeeze([1]);
          expect(out.logits.sub(expected).abs().max().dataSync()[0], `step ${t}`).toBeLessThan(
            1e-4,
          );
          state = out.state;
        });
        params.dispose();
      });
    });

    it(`${name}: greedy equals beam size 1, beam returns n-best, and decoding leaks no tensors`, () => {
      const { decoder, memory, mask, dispose } = builtDecoder(config);
      const before = tf.memory().numTensors;
      const options = { startToken: 1, endToken: 2, maxLength: 7 };
      const greedy = greedySearch(decoder, memory, mask, options);
      const beam1 = beamSearch(decoder, memory, mask, {
        ...options,
        beamSize: 1,
        lengthPenalty: 0,
        coveragePenalty: 0,
        nBest: 1,
      });
      const beam3 = decode(decoder, memory, mask, {
        ...options,
        beamSize: 3,
        nBest: 3,
        lengthPenalty: 0.6,
        coveragePenalty: 0.2,
      });
      expect(tf.memory().numTensors).toBe(before);
      for (let b = 0; b < B; b++) {
        expect(beam1[b]![0]!.tokens).toEqual(greedy[b]![0]!.tokens);
        expect(beam1[b]![0]!.logProb).toBeCloseTo(greedy[b]![0]!.logProb, 4);
        expect(beam3[b]!.length).toBeGreaterThanOrEqual(1);
        expect(beam3[b]!.length).toBeLessThanOrEqual(3);
        const scores = beam3[b]!.map((h) => h.score);
        expect([...scores].sort((x, y) => y - x)).toEqual(scores);
        const hyp = beam3[b]![0]!;
        expect(hyp.weights.length).toBe(hyp.tokens.length + (hyp.finished ? 1 : 0));
        for (const row of hyp.weights) expect(row.length).toBe(T);
      }
      dispose();
    });
  }

  it.each([configs[0]!, configs[3]!])(
    '%s: selectState moves what hypotheses built and keeps what belongs to the input',
    (_, config) => {
      tf.tidy(() => {
        const decoder = createDecoder(config, new ParamStore());
        // Two hypotheses of one input (beam search): the same memory row twice, different tokens.
        const { memory: both, mask: masks } = memoryBatch();
        const memory = tf.concat([both.slice([0], [1]), both.slice([0], [1])]) as tf.Tensor3D;
        const mask = tf.concat([masks.slice([0], [1]), masks.slice([0], [1])]) as tf.Tensor2D;
        const state = decoder.step(
          tf.tensor1d([3, 4], 'int32'),
          decoder.initState(memory, mask),
        ).state;
        const swapped = decoder.selectState(state, tf.tensor1d([1, 0], 'int32'));
        const tensors = (tree: unknown, path = ''): [string, tf.Tensor][] =>
          tree instanceof tf.Tensor
            ? [[path, tree]]
            : tree && typeof tree === 'object'
              ? Object.entries(tree).flatMap(([k, v]) => tensors(v, `${path}/${k}`))
              : [];
        const before = new Map(tensors(state));
        let moved = 0;
        for (const [path, after] of tensors(swapped)) {
          const old = before.get(path)!;
          const rowsDiffer =
            old
              .slice([0], [1])
              .sub(old.slice([1], [1]))
              .abs()
              .max()
              .dataSync()[0]! > 1e-5; // a GEMM may round edge rows differently
          if (!rowsDiffer) continue; // identical rows: nothing to tell
          moved++;
          // Per-hypothesis tensors arrive swapped.
          expect(
            after
              .slice([0], [1])
              .sub(old.slice([1], [1]))
              .abs()
              .max()
              .dataSync()[0],
            path,
          ).toBe(0);
        }
        expect(moved).toBeGreaterThan(0);
        // Per-input tensors are the very same tensors (no copy).
        const kept = tensors(swapped).filter(
          ([path]) => /memory|cross|projectedKeys$/.test(path) && !/self/.test(path),
        );
        expect(kept.length).toBeGreaterThan(0);
        for (const [path, t] of kept) expect(t, path).toBe(before.get(path));
      });
    },
  );
});

describe('fused scorers in beam search', () => {
  /** Forbids one token everywhere and otherwise adds nothing. */
  const forbid = (token: number): PrefixScorer<null> => ({
    initial: () => null,
    scores: () => {
      const out = new Float32Array(V);
      out[token] = Number.NEGATIVE_INFINITY;
      return out;
    },
    advance: () => null,
  });

  it('adds weighted scorer scores: weight 0 changes nothing, a forbidden token never appears', () => {
    const { decoder, memory, mask, dispose } = builtDecoder(configs[3]![1]);
    const options = { startToken: 1, endToken: 2, maxLength: 7, beamSize: 3, lengthPenalty: 0 };
    const plain = decode(decoder, memory, mask, options);
    // Each token's own decoder log p comes along (word confidences): with nothing fused they
    // add up to the hypothesis's log p, but for the end token's share (≤ 0).
    const greedy1 = greedySearch(decoder, memory, mask, options);
    for (const h of [...plain.map((l) => l[0]!), ...greedy1.map((l) => l[0]!)]) {
      expect(h.tokenLogProbs).toHaveLength(h.tokens.length);
      const sum = h.tokenLogProbs!.reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThanOrEqual(h.logProb - 1e-5);
      if (!h.finished) expect(sum).toBeCloseTo(h.logProb, 4);
    }
    // Each input's first token, or the end token where the hypothesis is empty.
    const first = plain.map((list) => list[0]!.tokens[0] ?? 2);
    const unweighted = decode(decoder, memory, mask, options, {
      decoderWeight: 1,
      scorers: first.map((token) => [{ scorer: forbid(token), weight: 0 }]),
    });
    expect(unweighted.map((l) => l[0]!.tokens)).toEqual(plain.map((l) => l[0]!.tokens));
    const before = tf.memory().numTensors;
    const fused = decode(decoder, memory, mask, options, {
      decoderWeight: 0.7,
      scorers: first.map((token) => [{ scorer: forbid(token), weight: 1 }]),
    });
    expect(tf.memory().numTensors).toBe(before);
    fused.forEach((list, b) => {
      expect(list[0]!.tokens).not.toContain(first[b]);
      if (first[b] === 2) expect(list[0]!.finished).toBe(false);
      // The fused score is 0.7·log p_decoder (the scorer adds 0 to allowed tokens).
      expect(list[0]!.logProb).toBeLessThanOrEqual(0);
    });
    // A pre-beam as wide as the vocabulary scores every token: the same search as without one.
    const zero: PrefixScorer<null> = {
      initial: () => null,
      scores: () => new Float32Array(V),
      advance: () => null,
    };
    const wide = decode(decoder, memory, mask, options, {
      decoderWeight: 1,
      preBeam: V,
      scorers: first.map(() => [{ scorer: zero, weight: 1 }]),
    });
    expect(wide.map((l) => l[0]!.tokens)).toEqual(plain.map((l) => l[0]!.tokens));
    // A pre-beam of 1: every step extends by the decoder's best token or ends.
    const narrow = decode(decoder, memory, mask, options, {
      decoderWeight: 1,
      preBeam: 1,
      scorers: first.map(() => [{ scorer: zero, weight: 1 }]),
    });
    const greedy = greedySearch(decoder, memory, mask, options);
    narrow.forEach((list, b) => {
      const tokens = list[0]!.tokens;
      expect(greedy[b]![0]!.tokens.slice(0, tokens.length)).toEqual(tokens);
    });
    // Greedy with a scorer goes through the beam (size 1) and still obeys it.
    const greedyFused = decode(
      decoder,
      memory,
      mask,
      { ...options, beamSize: 1 },
      {
        decoderWeight: 1,
        scorers: first.map((token) => [{ scorer: forbid(token), weight: 1 }]),
      },
    );
    greedyFused.forEach((list, b) => {
      expect(list[0]!.tokens).not.toContain(first[b]);
    });
    dispose();
  });
});

describe('bonus scorers in beam search', () => {
  /** Ending at once looks best; token 5 as the second token then earns +10; then ending does. */
  const lateBonus = (maxGain?: number): PrefixScorer<number> => ({
    initial: () => 0,
    scores: (step) => {
      const out = new Float32Array(V);
      if (step !== 1) out.fill(-3).fill(0, 2, 3);
      else out[5] = 10;
      return out;
    },
    advance: (step) => step + 1,
    ...(maxGain === undefined ? {} : { maxGain }),
  });

  it('keeps searching while a declared bonus could still beat the best finished hypothesis', () => {
    const { decoder, memory, mask, dispose } = builtDecoder(configs[3]![1]);
    const options = { startToken: 1, endToken: 2, maxLength: 6, beamSize: 2, lengthPenalty: 0 };
    const run = (maxGain?: number) =>
      decode(decoder, memory, mask, options, {
        decoderWeight: 1,
        scorers: [0, 1].map(() => [{ scorer: lateBonus(maxGain), weight: 1 }]),
      }).map((list) => list[0]!);
    // Undeclared, the early stop takes the empty hypothesis and never sees the bonus.
    const early = run();
    const declared = run(10);
    early.forEach((best, b) => {
      expect(best.tokens).toEqual([]);
      expect(declared[b]!.tokens[1]).toBe(5);
      expect(declared[b]!.logProb).toBeGreaterThan(best.logProb);
    });
    dispose();
  });
});

describe('losses', () => {
  it('cross-entropy with label smoothing, over unmasked tokens only', () => {
    tf.tidy(() => {
      const logits = tf.tensor3d([
        [
          [2, 0, 0],
          [0, 3, 0],
        ],
      ]);
      const targets = tf.tensor2d([[0, 2]], [1, 2], 'int32');
      const first = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
      const onlyFirst = sequenceCrossEntropy(logits, targets, tf.tensor2d([[1, 0]]));
      expect(onlyFirst.dataSync()[0]).toBeCloseTo(first, 5);
      const logp = [2, 0, 0].map((x) => x - Math.log(Math.exp(2) + 2));
      const smoothed = -(0.9 * logp[0]! + (0.1 / 3) * (logp[0]! + logp[1]! + logp[2]!));
      expect(
        sequenceCrossEntropy(logits, targets, tf.tensor2d([[1, 0]]), 0.1).dataSync()[0],
      ).toBeCloseTo(smoothed, 5);
    });
  });

  it('the doubly stochastic penalty is zero when every position gets exactly one unit', () => {
    tf.tidy(() => {
      const weights = tf.tensor3d([
        [
          [1, 0],
          [0, 1],
          [0.3, 0.7],
        ],
      ]);
      const targetMask = tf.tensor2d([[1, 1, 0]]);
      expect(
        doublyStochasticPenalty(weights, targetMask, tf.tensor2d([[1, 1]])).dataSync()[0],
      ).toBeCloseTo(0, 6);
      const all = doublyStochasticPenalty(weights, tf.tensor2d([[1, 1, 1]]), tf.tensor2d([[1, 1]]));
      expect(all.dataSync()[0]).toBeCloseTo(0.3 ** 2 + 0.7 ** 2, 5);
    });
  });
});

describe('hard attention training signal', () => {
  it('the REINFORCE surrogate has gradient -(reward - baseline) · ∇ log p(sample)', () => {
    tf.tidy(() => {
      const theta = tf.variable(
        tf.tensor2d([
          [0.2, -0.4],
          [0.1, 0.3],
        ]),
      );
      const logProb = () => tf.logSoftmax(theta, 1) as tf.Tensor2D; // [B=2, L=2] log-probabilities
      const reward = tf.tensor1d([1.5, -0.5]);
      const mask = tf.tensor2d([
        [1, 1],
        [1, 0],
      ]);
      const grad = tf.grad(() => reinforceSurrogate(logProb(), mask, reward, 0.5))(theta);
      // by hand: -(mean over batch of (r_b - baseline) · Σ_t m_bt ∇ log p_bt)
      const expected = tf.grad(() =>
        logProb()
          .mul(mask)
          .sum(1)
          .mul(tf.tensor1d([1.0, -1.0]))
          .mean()
          .neg(),
      )(theta);
      expect(grad.sub(expected).abs().max().dataSync()[0]).toBeLessThan(1e-6);
    });
  });
});
