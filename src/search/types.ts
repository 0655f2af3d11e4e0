import type { TokenSpan } from './ctc-align.js';
/** How to turn decoder steps into token sequences. One place defines every default. */
export interface DecodingOptions {
  readonly startToken: number;
  readonly endToken: number;
  readonly maxLength: number;
  /** 1 = greedy. */
  readonly beamSize: number;
  /** GNMT length normalisation α: score = log P / ((5 + |Y|) / 6)^α. 0 turns it off. */
  readonly lengthPenalty: number;
  /** GNMT coverage penalty β: + β Σ_j log(min(Σ_i α_ij, 1)). 0 turns it off. */
  readonly coveragePenalty: number;
  /** How many hypotheses to return per input (≤ beamSize). */
  readonly nBest: number;
}

export const DEFAULT_DECODING: Omit<DecodingOptions, 'startToken' | 'endToken'> = {
  maxLength: 100,
  beamSize: 4,
  lengthPenalty: 0.6,
  coveragePenalty: 0,
  nBest: 1,
};

export interface Hypothesis {
  /** Emitted tokens, without the start and end tokens. */
  readonly tokens: number[];
  /** Sum of the tokens' log-probabilities (end token included when finished). */
  readonly logProb: number;
  /** The ranking score: logProb with the length and coverage penalties applied. */
  readonly score: number;
  /** Cross-attention weights of each emitted step (end token included when finished): [steps][Tk]. */
  readonly weights: Float32Array[];
  /**
   * The decoder's own log-probability of each emitted token (not the fused score): what word
   * confidences are made of.
   */
  readonly tokenLogProbs?: readonly number[];
  /**
   * Where the CTC head's best path emits each token (forced alignment of `tokens`, see
   * ctcForcedAlign): word times sharper than attention's. Set on each input's best hypothesis
   * by AsrModel.transcribeFeatures; absent elsewhere and when the CTC path cannot spell it.
   */
  readonly tokenSpans?: readonly TokenSpan[];
  /** False when maxLength was reached before the end token. */
  readonly finished: boolean;
}
