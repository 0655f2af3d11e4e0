/**
 * A score over token prefixes that beam search adds to the decoder's own (ESPnet's joint
 * decoding): a CTC prefix score, an n-gram language model. One scorer serves one input; its
 * state follows each hypothesis and is never mutated once made, so hypotheses can share parents.
 */
export interface PrefixScorer<S = unknown> {
  /** The state of the empty prefix. */
  initial(): S;
  /**
   * log-score increment of appending each token id to the prefix `state` stands for, as one
   * array over the vocabulary; the end token's entry scores ending here. Every entry is ≤ 0
   * (beam search's early stop relies on scores only falling) unless the scorer declares
   * `maxGain`. -∞ forbids a token. With
   * `candidates`, only those entries need be right (the rest are never read).
   */
  scores(state: S, candidates?: readonly number[]): Float32Array;
  /** The state after appending `token` (only asked for tokens `scores` just scored). */
  advance(state: S, token: number): S;
  /**
   * For a scorer that can add positive scores (a bonus): the most it can still add to the unit
   * a hypothesis is in the middle of (HotwordScorer: a word). Beam search adds it (times the
   * weight) to what a live hypothesis could reach before it stops early; units not yet begun
   * are not counted, so stopping early gives up bonuses that would come only after the best
   * finished hypothesis has ended.
   */
  readonly maxGain?: number;
}

/** A scorer and its weight in the sum. */
export interface WeightedScorer {
  readonly scorer: PrefixScorer;
  readonly weight: number;
}
