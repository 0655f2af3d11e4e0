import { words } from '../text/words.js';
import { type CaptionPair, corpusBleu } from './bleu.js';
import { ngramCounts } from './ngrams.js';

type Vector = { grams: Map<string, number>; norm: number; length: number };

/**
 * CIDEr-D (Vedantam et al. 2015, the coco-caption variant): for n = 1..4, TF-IDF vectors of
 * n-grams (document frequency over the corpus's reference sets), cosine similarity between the
 * hypothesis and each reference with the hypothesis' weights clipped to the reference's, times a
 * Gaussian length penalty (σ = 6); averaged over references and n, times 10. Returns the corpus
 * mean and each item's score.
 */
export function ciderD(
  pairs: readonly CaptionPair[],
  sigma = 6,
): { score: number; perItem: number[] } {
  const maxN = 4;
  const refTokens = pairs.map((p) => p.references.map(words));
  const documentFrequency = new Map<string, number>();
  for (const refs of refTokens) {
    const seen = new Set<string>();
    for (const ref of refs)
      for (let n = 1; n <= maxN; n++) for (const gram of ngramCounts(ref, n).keys()) seen.add(gram);
    for (const gram of seen) documentFrequency.set(gram, (documentFrequency.get(gram) ?? 0) + 1);
  }
  const logDocuments = Math.log(Math.max(1, pairs.length));
  const vectors = (tokens: readonly string[]): Vector[] =>
    Array.from({ length: maxN }, (_, i) => {
      const grams = new Map<string, number>();
      let norm = 0;
      for (const [gram, tf] of ngramCounts(tokens, i + 1)) {
        const weight =
          tf * (logDocuments - Math.log(Math.max(1, documentFrequency.get(gram) ?? 0)));
        grams.set(gram, weight);
        norm += weight * weight;
      }
      return { grams, norm: Math.sqrt(norm), length: tokens.length };
    });
  const similarity = (hyp: Vector, ref: Vector): number => {
    let dot = 0;
    for (const [gram, w] of hyp.grams) {
      const r = ref.grams.get(gram);
      if (r !== undefined) dot += Math.min(w, r) * r;
    }
    if (hyp.norm === 0 || ref.norm === 0) return 0;
    const delta = hyp.length - ref.length;
    return (dot / (hyp.norm * ref.norm)) * Math.exp(-(delta * delta) / (2 * sigma * sigma));
  };
  const perItem = pairs.map((pair, i) => {
    const hyp = vectors(words(pair.hypothesis));
    const refs = refTokens[i]!.map(vectors);
    if (refs.length === 0) return 0;
    let sum = 0;
    for (let n = 0; n < maxN; n++) {
      let s = 0;
      for (const ref of refs) s += similarity(hyp[n]!, ref[n]!);
      sum += s / refs.length;
    }
    return (sum / maxN) * 10;
  });
  return { score: perItem.reduce((a, b) => a + b, 0) / Math.max(1, perItem.length), perItem };
}

/** The caption scores attend reports together: corpus BLEU-1..4 and CIDEr-D over the same pairs. */
export function scoreCaptions(pairs: readonly CaptionPair[]): { bleu: number[]; cider: number } {
  return { bleu: corpusBleu(pairs), cider: ciderD(pairs).score };
}
