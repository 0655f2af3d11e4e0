import { matchedWords } from './alignment.js';
import { splitWords } from './edit-distance.js';

/** How well word confidences tell right words from wrong ones. */
export interface ConfidenceScores {
  /** Hypothesis words scored (those with a confidence). */
  readonly words: number;
  /** Of those, how many the alignment matches to the same reference word. */
  readonly right: number;
  /**
   * The chance that a right word has a higher confidence than a wrong one (ties count half):
   * 0.5 is no better than a coin, 1 separates them perfectly. NaN without both kinds.
   */
  readonly auroc: number;
  readonly meanRight: number;
  readonly meanWrong: number;
  /**
   * Expected calibration error: over ten equal-width confidence bins, the words' share times
   * |mean confidence − share right|. 0 when a confidence of 0.8 means right 80% of the time.
   */
  readonly calibrationError: number;
}

/**
 * Scores per-word confidences against references: confidences[i][j] belongs to the j-th word of
 * pair i's hypothesis (undefined: not scored). A word is right when a minimum-edit alignment
 * matches it to the same reference word.
 */
export function confidenceScores(
  pairs: readonly (readonly [string, string])[],
  confidences: readonly (readonly (number | undefined)[])[],
): ConfidenceScores {
  const right: number[] = [];
  const wrong: number[] = [];
  pairs.forEach(([reference, hypothesis], i) => {
    const words = splitWords(hypothesis);
    const matched = new Set(matchedWords(splitWords(reference), words).map(([, j]) => j));
    words.forEach((_, j) => {
      const c = confidences[i]?.[j];
      if (c === undefined) return;
      (matched.has(j) ? right : wrong).push(c);
    });
  });
  const mean = (xs: number[]) =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  return {
    words: right.length + wrong.length,
    right: right.length,
    auroc: auroc(right, wrong),
    meanRight: mean(right),
    meanWrong: mean(wrong),
    calibrationError: calibrationError(right, wrong),
  };
}

/** Expected calibration error over CALIBRATION_BINS equal-width bins; NaN without words. */
function calibrationError(right: readonly number[], wrong: readonly number[]): number {
  const total = right.length + wrong.length;
  if (total === 0) return Number.NaN;
  const bins = Array.from({ length: CALIBRATION_BINS }, () => ({ sum: 0, words: 0, right: 0 }));
  const add = (confidence: number, isRight: boolean) => {
    const bin = bins[Math.min(CALIBRATION_BINS - 1, Math.floor(confidence * CALIBRATION_BINS))]!;
    bin.sum += confidence;
    bin.words++;
    if (isRight) bin.right++;
  };
  for (const c of right) add(c, true);
  for (const c of wrong) add(c, false);
  return bins.reduce((e, b) => e + (b.words ? Math.abs(b.sum - b.right) / total : 0), 0);
}

const CALIBRATION_BINS = 10;

/** Mann-Whitney U / (n·m) by ranks: O((n+m) log(n+m)). */
function auroc(positive: readonly number[], negative: readonly number[]): number {
  if (positive.length === 0 || negative.length === 0) return Number.NaN;
  const all = [
    ...positive.map((value) => ({ value, positive: true })),
    ...negative.map((value) => ({ value, positive: false })),
  ].sort((a, b) => a.value - b.value);
  let rankSum = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j < all.length && all[j]!.value === all[i]!.value) j++;
    const rank = (i + 1 + j) / 2; // the average rank of a run of ties (1-based)
    for (let t = i; t < j; t++) if (all[t]!.positive) rankSum += rank;
    i = j;
  }
  const n = positive.length;
  return (rankSum - (n * (n + 1)) / 2) / (n * negative.length);
}
