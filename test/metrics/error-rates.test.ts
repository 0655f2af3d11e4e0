import { describe, expect, it } from 'vitest';
import {
  charErrorRate,
  normaliseForScoring,
  wordErrorRate,
} from '../../src/metrics/edit-distance.js';

describe('word and character error rates', () => {
  it('count edits over the reference words', () => {
    const wer = wordErrorRate([
      ['the cat sat', 'the cat sat down'],
      ['a b c d', 'a x c'],
    ]);
    expect(wer).toEqual({ errors: 3, total: 7, rate: 3 / 7 });
    expect(charErrorRate([['abc', 'abd']]).errors).toBe(1);
  });

  it('score words, not the way they are written: case, punctuation, quotes and hyphens', () => {
    expect(normaliseForScoring('"Hello, World!" It\'s a well-known fact.')).toBe(
      "hello world it's a well known fact",
    );
    expect(normaliseForScoring("'quoted' o'clock")).toBe("quoted o'clock");
    expect(normaliseForScoring('Café Ørsted — naïve')).toBe('café ørsted naïve');
    expect(wordErrorRate([['Hello, World!', 'hello world']]).rate).toBe(0);
    expect(wordErrorRate([['hello world', 'The weather is lovely today.']]).errors).toBe(5);
    expect(charErrorRate([["It's  late.", "it's late"]]).rate).toBe(0);
  });
});
