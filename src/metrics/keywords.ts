import { matchedWords } from './alignment.js';
import { splitWords } from './edit-distance.js';

/** How a list of words came through a transcription: what was said, and what was written. */
export interface KeywordScores {
  /** Listed words in the references. */
  readonly occurrences: number;
  /** Of those, how many the alignment matches to the same word in the hypothesis. */
  readonly recognised: number;
  /** recognised / occurrences (0 when none occur). */
  readonly recall: number;
  /** Listed words in the hypotheses that align to no such word in the reference. */
  readonly falseAlarms: number;
}

/** Recall and false alarms of `keywords` over [reference, hypothesis] pairs (hotword tuning). */
export function keywordScores(
  pairs: readonly (readonly [string, string])[],
  keywords: Iterable<string>,
): KeywordScores {
  const listed = new Set([...keywords].map((w) => w.toLowerCase()));
  let occurrences = 0;
  let recognised = 0;
  let falseAlarms = 0;
  for (const [referenceText, hypothesisText] of pairs) {
    const reference = splitWords(referenceText.toLowerCase());
    const hypothesis = splitWords(hypothesisText.toLowerCase());
    const matched = matchedWords(reference, hypothesis);
    const matchedRef = new Set(matched.map(([i]) => i));
    const matchedHyp = new Set(matched.map(([, j]) => j));
    reference.forEach((word, i) => {
      if (!listed.has(word)) return;
      occurrences++;
      if (matchedRef.has(i)) recognised++;
    });
    hypothesis.forEach((word, j) => {
      if (listed.has(word) && !matchedHyp.has(j)) falseAlarms++;
    });
  }
  return {
    occurrences,
    recognised,
    recall: occurrences > 0 ? recognised / occurrences : 0,
    falseAlarms,
  };
}
