import { describe, expect, it } from 'vitest';
import { confidenceScores } from '../../src/metrics/confidence.js';

describe('word confidence scores', () => {
  it('is 1 when every right word is more confident than every wrong one, 0 when the reverse', () => {
    const pairs: [string, string][] = [
      ['the cat sat', 'the hat sat'],
      ['a dog', 'a dog ran'],
    ];
    const good = confidenceScores(pairs, [
      [0.9, 0.2, 0.8],
      [0.95, 0.7, 0.1],
    ]);
    expect(good).toMatchObject({ words: 6, right: 4, auroc: 1 });
    expect(good.meanRight).toBeCloseTo((0.9 + 0.8 + 0.95 + 0.7) / 4, 9);
    expect(good.meanWrong).toBeCloseTo(0.15, 9);
    const bad = confidenceScores(pairs, [
      [0.1, 0.9, 0.2],
      [0.3, 0.4, 0.8],
    ]);
    expect(bad.auroc).toBe(0);
  });

  it('counts ties as half and skips words without a confidence', () => {
    const scores = confidenceScores([['one two', 'one too']], [[0.5, 0.5]]);
    expect(scores.auroc).toBe(0.5);
    expect(confidenceScores([['one two', 'one too']], [[0.5, undefined]]).auroc).toBeNaN();
  });
});
