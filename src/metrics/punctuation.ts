/** Precision, recall and F1 of one class. */
export interface ClassScore {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly support: number;
}

/** How a punctuation model did against written text, word by word. */
export interface PunctuationScores {
  /** Per mark (comma, full stop, question mark): is the mark after each word right? */
  readonly marks: Record<string, ClassScore>;
  /** Mean F1 of the three marks. */
  readonly markF1: number;
  /** Words written with a capital (Capitalised, UPPER or mixed) found as such. */
  readonly capitals: ClassScore;
  /** Words whose casing class is right. */
  readonly casingAccuracy: number;
  readonly words: number;
}

const score = (tp: number, fp: number, fn: number): ClassScore => {
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support: tp + fn };
};

/**
 * Scores predicted marks and casings (class indices, mark 0 = none, casing 0 = lower) against the
 * reference labels of the same words, as punctuation restoration is scored: per-class P/R/F1.
 */
export function scorePunctuation(
  markNames: readonly string[],
  predicted: readonly { mark: number; casing: number }[][],
  reference: readonly { mark: number; casing: number }[][],
): PunctuationScores {
  const counts = markNames.map(() => ({ tp: 0, fp: 0, fn: 0 }));
  const capital = { tp: 0, fp: 0, fn: 0 };
  let casingRight = 0;
  let words = 0;
  reference.forEach((ref, p) => {
    ref.forEach((r, t) => {
      const h = predicted[p]![t]!;
      words++;
      if (h.mark === r.mark) counts[r.mark]!.tp++;
      else {
        counts[h.mark]!.fp++;
        counts[r.mark]!.fn++;
      }
      if (h.casing === r.casing) casingRight++;
      const said = h.casing > 0;
      const written = r.casing > 0;
      if (said && written) capital.tp++;
      else if (said) capital.fp++;
      else if (written) capital.fn++;
    });
  });
  const marks = Object.fromEntries(
    markNames
      .slice(1)
      .map((name, i) => [name, score(counts[i + 1]!.tp, counts[i + 1]!.fp, counts[i + 1]!.fn)]),
  );
  const f1s = Object.values(marks).map((m) => m.f1);
  return {
    marks,
    markF1: f1s.reduce((a, b) => a + b, 0) / f1s.length,
    capitals: score(capital.tp, capital.fp, capital.fn),
    casingAccuracy: words ? casingRight / words : 0,
    words,
  };
}
