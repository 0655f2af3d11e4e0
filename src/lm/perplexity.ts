/** A sentence's total log-probability (its end included) and how many predictions made it. */
export interface SentenceScore {
  readonly logProb: number;
  readonly predictions: number;
}

/** Perplexity per prediction over sentences, each scored by `score`. */
export function perplexity<T>(
  sentences: Iterable<T>,
  score: (sentence: T) => SentenceScore,
): number {
  let logProb = 0;
  let predictions = 0;
  for (const sentence of sentences) {
    const scored = score(sentence);
    logProb += scored.logProb;
    predictions += scored.predictions;
  }
  return Math.exp(-logProb / predictions);
}
