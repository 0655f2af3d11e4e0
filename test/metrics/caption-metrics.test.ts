import { describe, expect, it } from 'vitest';
import { corpusBleu } from '../../src/metrics/bleu.js';
import { ciderD } from '../../src/metrics/cider.js';

describe('corpus BLEU', () => {
  it('is 1 for an exact match and clips repeated words (Papineni et al.: 2/7)', () => {
    expect(
      corpusBleu([
        { hypothesis: 'the cat sat on the mat', references: ['the cat sat on the mat'] },
      ]),
    ).toEqual([1, 1, 1, 1]);
    const [b1] = corpusBleu([
      {
        hypothesis: 'the the the the the the the',
        references: ['the cat is on the mat', 'there is a cat on the mat'],
      },
    ]);
    expect(b1).toBeCloseTo(2 / 7, 10);
  });

  it('takes the closest reference length for the brevity penalty and needs n-grams of every order', () => {
    // Closest reference is 3 words long: no penalty; no 4-grams in a 3-word hypothesis: BLEU-4 = 0.
    expect(
      corpusBleu([
        {
          hypothesis: 'a red circle',
          references: ['a red circle left of a square', 'a red circle'],
        },
      ]),
    ).toEqual([1, 1, 1, 0]);
    // Only a 7-word reference: BP = exp(1 - 7/3).
    const [b1] = corpusBleu([
      { hypothesis: 'a red circle', references: ['a red circle left of a square'] },
    ]);
    expect(b1).toBeCloseTo(Math.exp(1 - 7 / 3), 10);
  });

  it('sums counts over the corpus before taking the geometric mean', () => {
    // p1 = (2 + 3) / (2 + 3) (word order does not matter), p2 = (1 + 0) / (1 + 2); c = r = 5.
    const scores = corpusBleu(
      [
        { hypothesis: 'red circle', references: ['red circle'] },
        { hypothesis: 'square blue big', references: ['big blue square'] },
      ],
      2,
    );
    expect(scores[0]).toBeCloseTo(1, 10);
    expect(scores[1]).toBeCloseTo(Math.sqrt(1 / 3), 10);
  });
});

describe('CIDEr-D', () => {
  // Worked by hand: two images, so each n-gram found in one reference set has idf log 2.
  const corpus = (a: string, b: string) => [
    { hypothesis: a, references: ['red circle'] },
    { hypothesis: b, references: ['blue square'] },
  ];

  it('scores an exact match 10 × (1 + 1 + 0 + 0) / 4 and a half-right caption 10 × 0.5 / 4', () => {
    const { score, perItem } = ciderD(corpus('red circle', 'blue circle'));
    expect(perItem[0]).toBeCloseTo(5, 10);
    expect(perItem[1]).toBeCloseTo(1.25, 10);
    expect(score).toBeCloseTo(3.125, 10);
  });

  it('clips repeated n-grams to the reference and applies the Gaussian length penalty', () => {
    // unigrams: hyp {red: 2l, circle: l}, ref {red: l, circle: l}: (l·l + l·l) / (√5 l · √2 l);
    // bigrams: {red red: l, red circle: l} vs {red circle: l}: 1/√2; both × exp(-1/72).
    const penalty = Math.exp(-1 / 72);
    const expected = ((2 / Math.sqrt(10) + 1 / Math.sqrt(2)) * penalty * 10) / 4;
    expect(ciderD(corpus('red red circle', 'blue square')).perItem[0]).toBeCloseTo(expected, 10);
  });

  it('gives nothing for n-grams every image shares (idf 0)', () => {
    const { perItem } = ciderD([
      { hypothesis: 'a shape', references: ['a shape'] },
      { hypothesis: 'a shape', references: ['a shape'] },
    ]);
    expect(perItem).toEqual([0, 0]);
  });
});
