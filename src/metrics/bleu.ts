import { words } from '../text/words.js';
import { ngramCounts } from './ngrams.js';

/** A caption to score and its references. */
export interface CaptionPair {
  readonly hypothesis: string;
  readonly references: readonly string[];
}

/**
 * Corpus BLEU-1..4 (Papineni et al. 2002): clipped n-gram precisions summed over the corpus,
 * multiple references (a hypothesis n-gram counts up to its most frequent use in any reference),
 * brevity penalty against the reference length closest to each hypothesis (the shorter on ties),
 * as coco-caption computes it. Returns [BLEU-1, BLEU-2, BLEU-3, BLEU-4].
 */
export function corpusBleu(pairs: readonly CaptionPair[], maxN = 4): number[] {
  const matched = new Array<number>(maxN).fill(0);
  const total = new Array<number>(maxN).fill(0);
  let hypLength = 0;
  let refLength = 0;
  for (const { hypothesis, references } of pairs) {
    const hyp = words(hypothesis);
    const refs = references.map(words);
    hypLength += hyp.length;
    refLength += refs
      .map((r) => r.length)
      .reduce(
        (best, len) =>
          Math.abs(len - hyp.length) < Math.abs(best - hyp.length) ||
          (Math.abs(len - hyp.length) === Math.abs(best - hyp.length) && len < best)
            ? len
            : best,
        Number.POSITIVE_INFINITY,
      );
    for (let n = 1; n <= maxN; n++) {
      const maxRef = new Map<string, number>();
      for (const ref of refs)
        for (const [gram, c] of ngramCounts(ref, n))
          maxRef.set(gram, Math.max(maxRef.get(gram) ?? 0, c));
      for (const [gram, c] of ngramCounts(hyp, n)) {
        matched[n - 1]! += Math.min(c, maxRef.get(gram) ?? 0);
        total[n - 1]! += c;
      }
    }
  }
  if (hypLength === 0) return new Array<number>(maxN).fill(0);
  const brevity = hypLength < refLength ? Math.exp(1 - refLength / hypLength) : 1;
  const scores: number[] = [];
  let logSum = 0;
  for (let n = 1; n <= maxN; n++) {
    const p = total[n - 1]! > 0 ? matched[n - 1]! / total[n - 1]! : 0;
    logSum += Math.log(p);
    scores.push(p > 0 && Number.isFinite(logSum) ? brevity * Math.exp(logSum / n) : 0);
  }
  return scores;
}
