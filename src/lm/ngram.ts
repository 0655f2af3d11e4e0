import { AttendError } from '../errors.js';
import type { PrefixScorer } from '../search/scorer.js';
import {
  ContextTable,
  type ContextTableJson,
  checkDiscounts,
  countNgrams,
  interpolation,
  isSmoothing,
  type Smoothing,
  smoothedTable,
} from './context-table.js';
import { perplexity, type SentenceScore } from './perplexity.js';

/** What lm.json holds. */
export interface NgramJson extends ContextTableJson {
  readonly type: 'ngram';
  readonly smoothing: Smoothing;
  /** Kneser-Ney's absolute discount for contexts of 0, 1, ... order-1 tokens. */
  readonly discounts?: readonly number[];
  readonly order: number;
  readonly vocabSize: number;
  readonly start: number;
  readonly end: number;
  /** Token ids the model never emits (padding, start, blank): always -∞. */
  readonly excluded: readonly number[];
  /** Where the counts came from and how it scored, for the model card. */
  readonly info?: Record<string, unknown>;
  /** The training text's words, for the lexicon scorer (src/lm/lexicon.ts). */
  readonly lexicon?: readonly string[];
}

/** lm.json as written before session 14: `contexts` as [key, [[token, count], …]] pairs. */
export interface NestedNgramJson extends Omit<NgramJson, keyof ContextTableJson> {
  readonly contexts: readonly (readonly [string, readonly (readonly [number, number])[]])[];
}

/** The flat tables of either layout. */
function tablesOf(json: NgramJson | NestedNgramJson): ContextTable {
  if ('sizes' in json) return new ContextTable(json);
  const nested = (json as NestedNgramJson).contexts;
  const counts = new Map(nested.map(([key, pairs]) => [key, new Map(pairs)] as const));
  return ContextTable.fromCounts(counts);
}

/** The tokens an n-gram conditions on: the last order-1 of them, the start token first. */
export type NgramState = readonly number[];

/**
 * A token n-gram language model with interpolated Witten-Bell smoothing (Witten & Bell 1991):
 * p(w|h) = (c(h,w) + N₁₊(h·)·p(w|h')) / (c(h) + N₁₊(h·)), down to a uniform distribution, or
 * interpolated Kneser-Ney: (max(c(h,w) − D, 0) + D·N₁₊(h·)·p(w|h')) / c(h), shorter contexts
 * holding continuation counts (see WordNgram). Trained
 * on the transcripts a speech model was trained on, in that model's tokens, and fused into beam
 * search as a PrefixScorer (shallow fusion).
 */
export class NgramLm implements PrefixScorer<NgramState> {
  private readonly cache = new Map<string, Float32Array>();

  constructor(
    readonly order: number,
    readonly vocabSize: number,
    readonly start: number,
    readonly end: number,
    readonly excluded: readonly number[],
    private readonly table: ContextTable,
    public info: Record<string, unknown> = {},
    public lexicon: readonly string[] = [],
    readonly smoothing: Smoothing = 'witten-bell',
    readonly discounts: readonly number[] = [],
  ) {
    if (!(order >= 1)) throw new AttendError(`n-gram order must be at least 1, got ${order}`);
    checkDiscounts(smoothing, discounts, order);
  }

  /** Counts every n-gram (all orders up to `order`) of the sentences, each framed by start/end. */
  static train(
    sentences: Iterable<readonly number[]>,
    options: Omit<NgramJson, 'type' | 'smoothing' | 'discounts' | keyof ContextTableJson | 'info'>,
    smoothing: Smoothing = 'witten-bell',
  ): NgramLm {
    const framed = [...sentences].map((s) => [options.start, ...s, options.end]);
    const counts = countNgrams(framed, options.order);
    const { table, discounts } = smoothedTable(counts, options.order, options.start, smoothing);
    return new NgramLm(
      options.order,
      options.vocabSize,
      options.start,
      options.end,
      options.excluded,
      table,
      {},
      [],
      smoothing,
      discounts,
    );
  }

  initial(): NgramState {
    return [this.start];
  }

  advance(state: NgramState, token: number): NgramState {
    return this.order === 1 ? [] : [...state, token].slice(-(this.order - 1));
  }

  /** log p(w | state) for every token w. */
  scores(state: NgramState): Float32Array {
    const history = this.order > 1 ? state.slice(-(this.order - 1)) : [];
    const key = history.join(',');
    const cached = this.cache.get(key);
    if (cached) return cached;
    const allowed = this.vocabSize - this.excluded.length;
    const p = new Float64Array(this.vocabSize).fill(1 / allowed);
    for (let k = 0; k <= history.length; k++) {
      const segment = this.table.segment(history.slice(history.length - k).join(','));
      if (!segment) break; // a longer context unseen means every longer one is too
      const { from, to } = segment;
      const total = this.table.cumulative[to]! - this.table.cumulative[from]!;
      const { discount, share, denominator } = interpolation(
        this.smoothing,
        this.discounts[k] ?? 0,
        total,
        to - from,
      );
      // The shorter context's share for every token first, the seen tokens' counts added after.
      const kept = share / denominator;
      for (let w = 0; w < this.vocabSize; w++) p[w] = kept * p[w]!;
      for (let g = from; g < to; g++)
        p[this.table.ids[g]!] =
          (this.table.count(g) - discount) / denominator + p[this.table.ids[g]!]!;
    }
    const out = new Float32Array(this.vocabSize);
    for (let w = 0; w < this.vocabSize; w++) out[w] = Math.log(p[w]!);
    for (const id of this.excluded) out[id] = Number.NEGATIVE_INFINITY;
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(key, out);
    return out;
  }

  /** Total log-probability of a sentence (end token included) and the number of predictions. */
  sentenceLogProb(tokens: readonly number[]): SentenceScore {
    let state = this.initial();
    let logProb = 0;
    for (const token of [...tokens, this.end]) {
      logProb += this.scores(state)[token]!;
      state = this.advance(state, token);
    }
    return { logProb, predictions: tokens.length + 1 };
  }

  /** Per-token perplexity over sentences. */
  perplexity(sentences: Iterable<readonly number[]>): number {
    return perplexity(sentences, (sentence) => this.sentenceLogProb(sentence));
  }

  toJson(): NgramJson {
    return {
      type: 'ngram',
      smoothing: this.smoothing,
      ...(this.smoothing === 'kneser-ney' ? { discounts: this.discounts } : {}),
      order: this.order,
      vocabSize: this.vocabSize,
      start: this.start,
      end: this.end,
      excluded: this.excluded,
      ...this.table.toJson(),
      info: this.info,
      lexicon: this.lexicon,
    };
  }

  static fromJson(json: NgramJson | NestedNgramJson): NgramLm {
    if (json.type !== 'ngram' || !isSmoothing(json.smoothing))
      throw new AttendError(`not an n-gram model (type '${json.type}')`);
    return new NgramLm(
      json.order,
      json.vocabSize,
      json.start,
      json.end,
      json.excluded,
      tablesOf(json),
      json.info,
      json.lexicon,
      json.smoothing,
      json.discounts ?? [],
    );
  }
}
