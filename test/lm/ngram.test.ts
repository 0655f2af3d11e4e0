import { describe, expect, it } from 'vitest';
import { NgramLm } from '../../src/lm/ngram.js';

// Vocabulary: 0 pad, 1 start, 2 end, 3 'a', 4 'b', 5 'c'.
const options = { order: 2, vocabSize: 6, start: 1, end: 2, excluded: [0, 1] };

describe('n-gram language model (Witten-Bell)', () => {
  it('gives the hand-computed probabilities of a bigram model', () => {
    // Sentences "a b", "a c": after 'a' the bigram counts are b:1, c:1 (total 2, 2 types).
    const lm = NgramLm.train(
      [
        [3, 4],
        [3, 5],
      ],
      options,
    );
    // Unigram context '': counts a:2 b:1 c:1 end:2 (total 6, 4 types); uniform over 4 tokens.
    const unigram = (count: number) => (count + 4 * 0.25) / (6 + 4);
    const afterA = lm.scores([1, 3]);
    expect(Math.exp(afterA[4]!)).toBeCloseTo((1 + 2 * unigram(1)) / (2 + 2), 6);
    expect(Math.exp(afterA[2]!)).toBeCloseTo((0 + 2 * unigram(2)) / (2 + 2), 6);
    expect(afterA[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(afterA[1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is a distribution over the allowed tokens in every context, seen or not', () => {
    const lm = NgramLm.train([[3, 4, 5, 3, 4], [4, 4], [5]], { ...options, order: 4 });
    for (const context of [[1], [1, 3, 4], [5, 5, 5], [4, 3]]) {
      const total = [...lm.scores(context)].reduce((sum, lp) => sum + Math.exp(lp), 0);
      expect(total).toBeCloseTo(1, 5);
    }
  });

  it('prefers what it was trained on, and round-trips through JSON', () => {
    const corpus = Array.from({ length: 20 }, () => [3, 4, 5, 3, 4, 5]);
    const lm = NgramLm.train(corpus, { ...options, order: 3 });
    expect(lm.sentenceLogProb([3, 4, 5]).logProb).toBeGreaterThan(
      lm.sentenceLogProb([5, 4, 3]).logProb,
    );
    expect(lm.perplexity([[3, 4, 5, 3, 4, 5]])).toBeLessThan(lm.perplexity([[5, 5, 4, 4, 3]]));
    const copy = NgramLm.fromJson(JSON.parse(JSON.stringify(lm.toJson())));
    expect([...copy.scores([1, 3, 4])]).toEqual([...lm.scores([1, 3, 4])]);
    expect(copy.advance([1, 3], 4)).toEqual([3, 4]);
    // lm.json files of earlier versions list each context's [token, count] pairs; they still load.
    const { contexts, sizes, ids, counts, ...rest } = lm.toJson();
    let g = 0;
    const nested = contexts.map((key, c) => {
      const pairs = ids.slice(g, g + sizes[c]!).map((id, i) => [id, counts[g + i]!] as const);
      g += sizes[c]!;
      return [key, pairs] as const;
    });
    const old = NgramLm.fromJson({ ...rest, contexts: nested });
    expect([...old.scores([1, 3, 4])]).toEqual([...lm.scores([1, 3, 4])]);
  });
});

describe('n-gram language model (Kneser-Ney)', () => {
  it('gives the hand-computed probabilities of a bigram model', () => {
    const lm = NgramLm.train(
      [
        [3, 4],
        [3, 5],
      ],
      options,
      'kneser-ney',
    );
    // Unigrams hold continuation counts: a follows 1 token (start), b 1, c 1, end 2 (b and c);
    // D₀ = n1/(n1+2·n2) = 3/5. Bigram counts: start→a 2, a→b 1, a→c 1, b→end 1, c→end 1: D₁ = 4/6.
    expect(lm.discounts[0]).toBeCloseTo(3 / 5, 12);
    expect(lm.discounts[1]).toBeCloseTo(4 / 6, 12);
    const unigram = (continuations: number) => (continuations - 0.6 + 0.6 * 4 * 0.25) / 5;
    const d = 4 / 6;
    const afterA = lm.scores([1, 3]);
    expect(Math.exp(afterA[4]!)).toBeCloseTo((1 - d + d * 2 * unigram(1)) / 2, 6);
    expect(Math.exp(afterA[2]!)).toBeCloseTo((d * 2 * unigram(2)) / 2, 6);
    expect(afterA[1]).toBe(Number.NEGATIVE_INFINITY);
  });

  it('is a distribution over the allowed tokens in every context, and round-trips through JSON', () => {
    const lm = NgramLm.train(
      [[3, 4, 5, 3, 4], [4, 4], [5]],
      { ...options, order: 4 },
      'kneser-ney',
    );
    for (const context of [[1], [1, 3, 4], [5, 5, 5], [4, 3]]) {
      const total = [...lm.scores(context)].reduce((sum, lp) => sum + Math.exp(lp), 0);
      expect(total).toBeCloseTo(1, 5);
    }
    const copy = NgramLm.fromJson(JSON.parse(JSON.stringify(lm.toJson())));
    expect([...copy.scores([1, 3, 4])]).toEqual([...lm.scores([1, 3, 4])]);
  });
});
