import { describe, expect, it } from 'vitest';
import { WordLookaheadScorer } from '../../src/lm/word-lookahead.js';
import { WordNgram } from '../../src/lm/word-ngram.js';

const SENTENCES = [
  'the cat sat on the mat',
  'the cat ate the rat',
  'a cat is not a car',
  'the car is red',
  'cats are good for you',
].map((s) => s.split(' '));

// A character vocabulary as the speech models have: specials, space, letters.
const PIECES = ['', '', '', ' ', ..."abcdefghijklmnopqrstuvwxyz'"];
const END = 2;
const tokens = (text: string) => [...text].map((ch) => PIECES.indexOf(ch));

describe.each(['witten-bell', 'kneser-ney'] as const)(
  'word n-gram (%s) with look-ahead',
  (smoothing) => {
    const lm = WordNgram.train(SENTENCES, 3, smoothing);
    const everything = lm.words.length + 2; // words, <unk>, </s>

    it('is a distribution after any history, and range masses are sums of word probabilities', () => {
      const id = (w: string) => lm.idOf(w)!;
      for (const history of [
        [lm.start],
        [lm.start, id('the')],
        [id('the'), id('cat')],
        [id('red')],
      ]) {
        expect(lm.mass(history, 0, everything)).toBeCloseTo(1, 12);
        const [lo, hi] = lm.range('ca');
        expect(lm.words.slice(lo, hi)).toEqual(['car', 'cat', 'cats']);
        let sum = 0;
        for (let w = lo; w < hi; w++) sum += Math.exp(lm.logProb(history, w));
        expect(lm.mass(history, lo, hi)).toBeCloseTo(sum, 12);
      }
      // Seen continuations beat unseen ones.
      expect(lm.logProb([lm.start, id('the')], id('cat'))).toBeGreaterThan(
        lm.logProb([lm.start, id('the')], id('red')),
      );
      const copy = WordNgram.fromJson(JSON.parse(JSON.stringify(lm.toJson())));
      expect(copy.logProb([id('the'), id('cat')], id('sat'))).toBe(
        lm.logProb([id('the'), id('cat')], id('sat')),
      );
    });

    it("adds up a sentence's characters to its word log-probability, and charges an unknown word once", () => {
      const scorer = new WordLookaheadScorer(lm, PIECES, END);
      const score = (text: string) => {
        let state = scorer.initial();
        const increments: number[] = [];
        for (const token of tokens(text)) {
          const row = scorer.scores(state);
          expect(Math.max(...row)).toBeLessThanOrEqual(0);
          increments.push(row[token]!);
          state = scorer.advance(state, token);
        }
        increments.push(scorer.scores(state)[END]!);
        return increments;
      };
      const sentence = 'the cat ate the mat';
      const total = score(sentence).reduce((a, b) => a + b, 0);
      expect(total).toBeCloseTo(lm.sentenceLogProb(sentence.split(' ')).logProb, 5);
      // "zebra" leaves the vocabulary at its first letter: charged there as <unk>, free after.
      const increments = score('the zebra');
      const z = 'the '.length;
      expect(increments[z]).toBeLessThan(0);
      expect(increments.slice(z + 1, -1).every((x) => x === 0)).toBe(true);
      expect(increments.reduce((a, b) => a + b, 0)).toBeCloseTo(
        lm.sentenceLogProb(['the', 'zebra']).logProb,
        5,
      );
      // A known word's prefix that is not a word itself ("ca") counts as <unk> when it ends.
      const prefixOnly = score('the ca');
      expect(prefixOnly.reduce((a, b) => a + b, 0)).toBeCloseTo(
        lm.sentenceLogProb(['the', 'ca']).logProb,
        5,
      );
      // Context matters: after "<s> the", "cat" was seen twice, "car" once, "rat" never.
      const words = (text: string) =>
        score(text)
          .slice(0, -1)
          .reduce((a, b) => a + b, 0);
      expect(words('the cat ')).toBeGreaterThan(words('the car '));
      expect(words('the car ')).toBeGreaterThan(words('the rat '));
    });
  },
);

describe('Kneser-Ney word n-gram', () => {
  it('backs off to how many contexts a word follows, not how often it occurs', () => {
    // "francisco" is frequent but only ever after "san"; "glasses" is rarer but follows many words.
    const sentences = [
      ...Array.from({ length: 6 }, () => 'san francisco'),
      'red glasses',
      'my glasses',
      'old glasses',
      'new hat',
    ].map((s) => s.split(' '));
    const kn = WordNgram.train(sentences, 2, 'kneser-ney');
    const wb = WordNgram.train(sentences, 2, 'witten-bell');
    const afterNew = (lm: WordNgram, word: string) => lm.logProb([lm.idOf('new')!], lm.idOf(word)!);
    // After "new" (seen only before "hat") the shorter context decides francisco vs glasses:
    expect(afterNew(wb, 'francisco')).toBeGreaterThan(afterNew(wb, 'glasses')); // raw frequency
    expect(afterNew(kn, 'francisco')).toBeLessThan(afterNew(kn, 'glasses')); // contexts it follows
    expect(kn.discounts.every((d) => d > 0 && d < 1)).toBe(true);
    const copy = WordNgram.fromJson(JSON.parse(JSON.stringify(kn.toJson())));
    expect(afterNew(copy, 'francisco')).toBe(afterNew(kn, 'francisco'));
  });
});
