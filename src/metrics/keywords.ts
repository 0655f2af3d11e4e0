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

/** Word pairs a minimum-edit alignment matches exactly: [reference index, hypothesis index]. */
function matches(reference: readonly string[], hypothesis: readonly string[]): [number, number][] {
  const n = reference.length;
  const m = hypothesis.length;
  const cost = Array.from({ length: n + 1 }, (_, i) =>
    Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= n; i++)
    for (let j = 1; j <= m; j++)
      cost[i]![j] = Math.min(
        cost[i - 1]![j]! + 1,
        cost[i]![j - 1]! + 1,
        cost[i - 1]![j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1),
      );
  const pairs: [number, number][] = [];
  for (let i = n, j = m; i > 0 && j > 0; ) {
    const same = reference[i - 1] === hypothesis[j - 1];
    if (cost[i]![j] === cost[i - 1]![j - 1]! + (same ? 0 : 1)) {
      if (same) pairs.push([i - 1, j - 1]);
      i--;
      j--;
    } else if (cost[i]![j] === cost[i - 1]![j]! + 1) i--;
    else j--;
  }
  return pairs;
}

const words = (text: string): string[] => text.toLowerCase().split(/\s+/).filter(Boolean);

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
    const reference = words(referenceText);
    const hypothesis = words(hypothesisText);
    const matched = matches(reference, hypothesis);
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
