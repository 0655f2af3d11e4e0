import { describe, expect, it } from 'vitest';
import { HotwordScorer, normaliseHotwords } from '../../src/lm/hotwords.js';

// ids: 0 pad, 1 start, 2 end, 3 ' ', then one letter each
const letters = [...'abcdeklnosuz'];
const pieces = ['', '', '', ' ', ...letters];
const END = 2;
const ids = (text: string): number[] =>
  [...text].map((ch) => (ch === ' ' ? 3 : 4 + letters.indexOf(ch)));

/** Total score of a text, and the score after each token. */
function walk(scorer: HotwordScorer, text: string, end = true) {
  let state = scorer.initial();
  let total = 0;
  const running: number[] = [];
  for (const id of [...ids(text), ...(end ? [END] : [])]) {
    total += scorer.scores(state)[id]!;
    running.push(total);
    state = scorer.advance(state, id);
  }
  return { total, running };
}

describe('hotword scorer', () => {
  const scorer = new HotwordScorer(['zebulon', 'kube'], pieces, END);

  it('gives a listed word one per character, whole words only', () => {
    expect(walk(scorer, 'a zebulon').total).toBe(7);
    expect(walk(scorer, 'zebulon kube').total).toBe(11);
    expect(walk(scorer, 'zeb').total).toBe(0); // ends inside a listed word
    expect(walk(scorer, 'zebulons a').total).toBe(0); // runs past one
    expect(walk(scorer, 'zebra').total).toBe(0); // leaves the list
    expect(walk(scorer, 'azebulon').total).toBe(0); // only from a word's start
    expect(walk(scorer, 'cook').total).toBe(0);
  });

  it('defers the bonus along prefixes that ordinary words share, so they are not pulled', () => {
    const withLexicon = new HotwordScorer(['zebulon', 'kube'], pieces, END, ['zeal', 'kubes']);
    // 'z', 'e' start "zeal": nothing yet; 'b' leaves the lexicon and pays 'z', 'e', 'b' at once.
    expect(walk(withLexicon, 'zebulon').running.slice(0, 4)).toEqual([0, 0, 3, 4]);
    expect(walk(withLexicon, 'zebulon').total).toBe(7);
    // "kube" is all a prefix of "kubes": its bonus comes when the word ends as "kube".
    expect(walk(withLexicon, 'kube').running).toEqual([0, 0, 0, 0, 4]);
    expect(walk(withLexicon, 'kubes').total).toBe(0);
    expect(walk(withLexicon, 'zeal').total).toBe(0);
  });

  it('never adds more than maxGain to the word in progress, and never goes negative', () => {
    expect(scorer.maxGain).toBe(7);
    for (const text of ['zebulon', 'kube zebulo', 'zebulon zebulon', 'kubez zebulon']) {
      const { running } = walk(scorer, text);
      const starts = [0, ...ids(text).flatMap((id, i) => (id === 3 ? [i + 1] : []))];
      // From any token to the end of its word (the space or the end token that closes it).
      running.forEach((value, i) => {
        const wordEnd = starts.find((s) => s > i) ?? running.length;
        const to = running.slice(i, wordEnd);
        expect(Math.max(...to) - (running[i - 1] ?? 0)).toBeLessThanOrEqual(7);
        expect(value).toBeGreaterThanOrEqual(0);
      });
    }
  });
});

describe('hotword lists', () => {
  const spellable = (ch: string) => /[a-z']/.test(ch);
  it('lower-cases, splits phrases into words and drops repeats', () => {
    expect(normaliseHotwords(['Kubernetes', 'New York', 'york', ''], spellable)).toEqual([
      'kubernetes',
      'new',
      'york',
    ]);
  });
  it('names the words the model cannot spell', () => {
    expect(() => normaliseHotwords(['ok', 'c3po', 'r2d2'], spellable)).toThrow(
      /cannot spell c3po, r2d2/,
    );
  });
});
