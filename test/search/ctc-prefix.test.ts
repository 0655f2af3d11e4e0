import { describe, expect, it } from 'vitest';
import { CtcPrefixScorer } from '../../src/search/ctc-prefix.js';
import { ctcLogLikelihood } from '../../src/train/ctc.js';
import { prng } from '../../src/util/random.js';
import { ctcPaths } from '../helpers/ctc-paths.js';

const T = 4;
const V = 5; // 0 blank, 1 start, 2 end, 3 and 4 labels
const tokens = { blank: 0, start: 1, end: 2 };

function randomLogProbs(seed: number): Float32Array {
  const random = prng(seed);
  const lp = new Float32Array(T * V);
  for (let t = 0; t < T; t++) {
    const row = Array.from({ length: V }, () => Math.exp(2 * random()));
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((v, i) => {
      lp[t * V + i] = Math.log(v / sum);
    });
  }
  return lp;
}

/** log ψ(h): the probability of every frame path whose collapsed labels start with h (V^T paths). */
function bruteForcePrefix(lp: Float32Array, prefix: number[]): number {
  let total = 0;
  for (const { path, collapsed } of ctcPaths(T, V)) {
    if (prefix.some((label, i) => collapsed[i] !== label)) continue;
    total += Math.exp(path.reduce((sum, s, t) => sum + lp[t * V + s]!, 0));
  }
  return Math.log(total);
}

describe('CTC prefix score', () => {
  it.each([1, 2, 3])(
    'matches brute force along a prefix, and its end score is log p_ctc (seed %i)',
    (seed) => {
      const lp = randomLogProbs(seed);
      const scorer = new CtcPrefixScorer(lp, T, V, tokens);
      let state = scorer.initial();
      const prefix: number[] = [];
      for (const next of [3, 3, 4]) {
        const scores = scorer.scores(state);
        const before = prefix.length ? bruteForcePrefix(lp, prefix) : 0;
        expect(scores[next]!).toBeCloseTo(bruteForcePrefix(lp, [...prefix, next]) - before, 4);
        // Ending now: log p_ctc(h) - log ψ(h).
        expect(scores[2]!).toBeCloseTo(ctcLogLikelihood(lp, T, V, prefix) - before, 4);
        expect(scores[0]).toBe(Number.NEGATIVE_INFINITY);
        expect(scores[1]).toBe(Number.NEGATIVE_INFINITY);
        for (const s of scores) expect(s).toBeLessThanOrEqual(0);
        state = scorer.advance(state, next);
        prefix.push(next);
      }
    },
  );

  it('makes a prefix longer than the frames allow impossible', () => {
    const lp = randomLogProbs(4);
    const scorer = new CtcPrefixScorer(lp, 2, V, tokens); // 2 frames: "3 3" needs a blank between
    const two = scorer.advance(scorer.advance(scorer.initial(), 3), 3);
    expect(two.prefix).toBe(Number.NEGATIVE_INFINITY);
    const threeFour = scorer.advance(scorer.initial(), 3);
    expect(scorer.scores(threeFour)[4]!).toBeGreaterThan(-Infinity);
  });
});
