import { describe, expect, it } from 'vitest';
import { scorePunctuation } from '../../src/metrics/punctuation.js';

describe('punctuation scores', () => {
  it('counts each mark and the capitals word by word', () => {
    const w = (mark: number, casing = 0) => ({ mark, casing });
    // Reference: "Well, is it? Yes." Predicted: "well is it. Yes."
    const reference = [[w(1, 1), w(0), w(3), w(2, 1)]];
    const predicted = [[w(0), w(0), w(2), w(2, 1)]];
    const s = scorePunctuation(['none', ',', '.', '?'], predicted, reference);
    expect(s.marks[',']).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
    expect(s.marks['.']).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
    expect(s.marks['?']!.recall).toBe(0);
    expect(s.markF1).toBeCloseTo(2 / 9);
    expect(s.capitals).toEqual({ precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
    expect(s.casingAccuracy).toBe(0.75);
    expect(s.words).toBe(4);
  });
});
