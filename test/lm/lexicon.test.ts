import { describe, expect, it } from 'vitest';
import { LexiconScorer } from '../../src/lm/lexicon.js';

// ids: 0 pad, 1 start, 2 end, 3 ' ', 4 'a', 5 'b', 6 'c'
const pieces = ['', '', '', ' ', 'a', 'b', 'c'];

function score(lexicon: LexiconScorer, ids: number[]): number {
  let state = lexicon.initial();
  let total = 0;
  for (const id of ids) {
    total += lexicon.scores(state)[id]!;
    state = lexicon.advance(state, id);
  }
  return total;
}

describe('lexicon scorer', () => {
  const lexicon = new LexiconScorer(['ab', 'abc', 'c'], pieces, 2);

  it('charges nothing for known words and one per unknown word, wherever it goes wrong', () => {
    expect(score(lexicon, [4, 5, 3, 6, 2])).toBe(0); // "ab c"
    expect(score(lexicon, [4, 5, 6, 2])).toBe(0); // "abc"
    expect(score(lexicon, [4, 6, 6, 3, 6, 2])).toBe(-1); // "acc c": leaves the tree at 'c'
    expect(score(lexicon, [4, 3, 6, 2])).toBe(-1); // "a c": 'a' is only a prefix
    expect(score(lexicon, [4, 2])).toBe(-1); // ends on a prefix
    expect(score(lexicon, [5, 5, 3, 4, 6, 2])).toBe(-2); // "bb ac": two unknown words
  });

  it('scores every token as ≤ 0 and leaves specials free', () => {
    const scores = lexicon.scores(lexicon.advance(lexicon.initial(), 4));
    expect(Math.max(...scores)).toBeLessThanOrEqual(0);
    expect(scores[0]).toBe(0);
    expect(scores[5]).toBe(0); // "ab" continues a word
    expect(scores[6]).toBe(-1); // "ac" does not
  });
});
