import { describe, expect, it } from 'vitest';
import type { TokenSpan } from '../../src/search/ctc-align.js';
import { CTC_WORD_TIMING, ctcWordTimes } from '../../src/search/ctc-word-times.js';

const span = (start: number, end: number): TokenSpan => ({ start, end, logProb: -0.1 });
const word = (first: [number, number], last = first) => ({
  first: span(...first),
  last: span(...last),
});
const rounded = (times: [number, number][]) =>
  times.map(([s, e]) => [Number(s.toFixed(3)), Number(e.toFixed(3))]);

describe('word times from CTC spans', () => {
  it('gives touching words one shared boundary, a quarter into the gap between their tokens', () => {
    // "ab" ends at frame 10, "cd" starts at 12: a 2-frame gap (the space token's), so they touch.
    const times = ctcWordTimes([word([4, 6], [8, 10]), word([12, 13], [14, 16])], 0.04);
    expect(rounded(times)).toEqual([
      [0.16, 0.42], // starts at its first frame (silence before); 10.5 × 0.04
      [0.42, 0.66], // the same boundary; 16 × 0.04 + 0.02 (silence after)
    ]);
  });

  it('keeps words apart across a pause: no shared boundary', () => {
    const gap = CTC_WORD_TIMING.pauseFrames + 1;
    const times = ctcWordTimes([word([4, 6]), word([6 + gap, 8 + gap])], 0.04);
    expect(rounded(times)).toEqual([
      [0.16, 0.26],
      [0.4, 0.5],
    ]);
  });

  it('keeps one-token words in order, each with a length', () => {
    const times = ctcWordTimes([word([0, 1]), word([2, 3]), word([4, 5])], 0.04);
    expect(times[0]![0]).toBe(0);
    for (let i = 1; i < times.length; i++) {
      expect(times[i]![0]).toBeGreaterThanOrEqual(times[i - 1]![1] - 1e-9);
      expect(times[i]![1]).toBeGreaterThan(times[i]![0]);
    }
  });
});
