import { describe, expect, it } from 'vitest';
import {
  caseOf,
  type LabelledWord,
  labelSentence,
  MARKS,
  passagesOf,
} from '../../datasets/punctuation/text.js';
import { normaliseSentence, sentenceSplit } from '../../datasets/speech/sentences.js';

const shown = (raw: string) =>
  labelSentence(raw)
    ?.map((w) => `${w.word}${MARKS[w.mark]}/${w.casing}`)
    .join(' ');

/** A passage's sentences: its words split after each full stop or question mark. */
function sentencesOf(words: readonly LabelledWord[]): string[] {
  const out: string[][] = [[]];
  for (const w of words) {
    out.at(-1)!.push(w.word);
    if (w.mark >= 2) out.push([]);
  }
  return out.filter((s) => s.length).map((s) => s.join(' '));
}

describe('punctuation labels from written text', () => {
  it('labels each word with the mark after it and how it was written', () => {
    expect(shown('"Why, Mr McDonald," she asked, "is NASA late?"')).toBe(
      'why,/1 mr/1 mcdonald,/3 she/0 asked,/0 is/0 nasa/2 late?/0',
    );
    // ! and ; are full stops, : a comma; "I" is a capital.
    expect(shown('I came: I saw; I won!')).toBe('i/1 came,/0 i/1 saw./0 i/1 won./0');
    expect(shown("Don't 'quote' me.")).toBe("don't/1 quote/0 me./0");
  });

  it('refuses what speech would not say or a heading would', () => {
    for (const raw of [
      'It costs 5 dollars.', // digits
      'A well-known fact.', // a hyphen
      'to be continued.', // no capital first
      'Two words.', // under three
      'No mark at the end',
      'HISTORY IS MADE AT NIGHT.', // shouted
    ])
      expect(labelSentence(raw), raw).toBeUndefined();
    expect(caseOf('iPhone')).toBe(3);
    expect(caseOf('TV')).toBe(2);
    expect(caseOf('A')).toBe(1);
  });

  it('makes passages of consecutive sentences of one split, never across a dropped one', () => {
    const text =
      'The cat sat on the mat. Then it left the room quietly. Mr. Smith was not amused by this. Nobody saw it go. What is it? It is a fine day today. We will all go out.';
    const passages = passagesOf([text]);
    const all = passages.flatMap((p) => sentencesOf(p.words));
    // "Mr." ends no sentence: that sentence is dropped, and nothing spans it.
    expect(all.some((s) => s.includes('smith'))).toBe(false);
    for (const p of passages.filter((p) => sentencesOf(p.words).includes('nobody saw it go')))
      expect(sentencesOf(p.words)[0]).toBe('nobody saw it go');
    for (const p of passages) {
      const sentences = sentencesOf(p.words);
      expect(sentences.length).toBeLessThanOrEqual(3);
      for (const s of sentences) expect(sentenceSplit(normaliseSentence(s) ?? s)).toBe(p.split);
    }
    // Every kept sentence starts a passage of its own.
    expect(passages.filter((p) => sentencesOf(p.words).length === 1)).toHaveLength(6);
  });
});
