/** Levenshtein distance between two sequences (substitutions, insertions, deletions cost 1). */
export function editDistance<T>(reference: readonly T[], hypothesis: readonly T[]): number {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = previous[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1));
    }
    previous = current;
  }
  return previous[hypothesis.length]!;
}

/** A text's words: split at runs of whitespace, none empty. */
export const splitWords = (text: string): string[] => text.split(/\s+/).filter(Boolean);

export interface ErrorRate {
  readonly errors: number;
  readonly total: number;
  readonly rate: number;
}

/**
 * What WER and CER compare: the text lower-cased, punctuation and symbols made spaces (a hyphen
 * too: "well-known" is said as two words), apostrophes kept inside words (it's, o'clock), spaces
 * collapsed. References written as people write ("Hello, World!") and punctuated transcripts
 * (--punctuate) then score on their words, as recognisers are scored (Whisper's normaliser is a
 * fuller version of the same idea); text already lower-case without marks is unchanged.
 */
export function normaliseForScoring(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}'\s]+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

function corpusRate(
  pairs: readonly (readonly [string, string])[],
  split: (s: string) => string[],
): ErrorRate {
  let errors = 0;
  let total = 0;
  for (const [reference, hypothesis] of pairs) {
    const ref = split(normaliseForScoring(reference));
    errors += editDistance(ref, split(normaliseForScoring(hypothesis)));
    total += ref.length;
  }
  return { errors, total, rate: total > 0 ? errors / total : 0 };
}

/** Corpus word error rate: total word edits / total reference words (both normalised). */
export const wordErrorRate = (pairs: readonly (readonly [string, string])[]): ErrorRate =>
  corpusRate(pairs, splitWords);

/** Corpus character error rate (spaces count as characters, runs of spaces as one). */
export const charErrorRate = (pairs: readonly (readonly [string, string])[]): ErrorRate =>
  corpusRate(pairs, (s) => [...s.trim().replace(/\s+/g, ' ')]);
