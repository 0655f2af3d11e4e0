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

  it('measures calibration: 0 when a confidence is the share of words right, else the gap', () => {
    // Ten words, eight right: all at 0.8 is calibrated; all at 0.95 overstates by 0.15.
    const pairs: [string, string][] = [['a b c d e f g h i j', 'a b c d e f g h x y']];
    const at = (c: number) => confidenceScores(pairs, [Array<number>(10).fill(c)]);
    expect(at(0.8).calibrationError).toBeCloseTo(0, 9);
    expect(at(0.95).calibrationError).toBeCloseTo(0.15, 9);
    // Bins keep confident and unsure words apart: right at 1, wrong at 0 is calibrated.
    const sharp = confidenceScores(pairs, [[1, 1, 1, 1, 1, 1, 1, 1, 0, 0]]);
    expect(sharp.calibrationError).toBeCloseTo(0, 9);
  });
});
