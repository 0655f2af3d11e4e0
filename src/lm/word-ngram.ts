import { AttendError } from '../errors.js';
import {
  ContextTable,
  type ContextTableJson,
  checkDiscounts,
  countNgrams,
  interpolation,
  isSmoothing,
  lowerBound,
  type Smoothing,
  smoothedTable,
} from './context-table.js';
import { perplexity, type SentenceScore } from './perplexity.js';

/** What word-lm.json.gz holds. */
export interface WordNgramJson extends ContextTableJson {
  readonly type: 'word-ngram';
  readonly smoothing: Smoothing;
  /** Kneser-Ney's absolute discount for contexts of 0, 1, ... order-1 words. */
  readonly discounts?: readonly number[];
  readonly order: number;
  /** The vocabulary, sorted (a word's id is its index; so every spelling prefix is an id range). */
  readonly words: readonly string[];
  readonly info?: Record<string, unknown>;
}

/**
 * A word n-gram with interpolated Witten-Bell (as NgramLm, over words) or interpolated Kneser-Ney
 * smoothing that can sum its probabilities over a range of word ids in O(order · log n). With
 * Kneser-Ney, shorter contexts hold continuation counts (how many different words came before)
 * and every count loses a discount D that the shorter context gets back. Words are sorted, so the words that
 * start with a spelling prefix are one id range: that is what lets a character-level search ask
 * "how likely is the next word to start like this" (WordLookaheadScorer).
 *
 * Ids: words 0..V-1, then <unk> (V, never counted: it gets the smoothing's share), </s> (V+1)
 * and <s> (V+2, only ever context).
 */
export class WordNgram {
  readonly unknown: number;
  readonly end: number;
  readonly start: number;

  constructor(
    readonly order: number,
    readonly words: readonly string[],
    private readonly table: ContextTable,
    public info: Record<string, unknown> = {},
    readonly smoothing: Smoothing = 'witten-bell',
    readonly discounts: readonly number[] = [],
  ) {
    if (!(order >= 1)) throw new AttendError(`n-gram order must be at least 1, got ${order}`);
    checkDiscounts(smoothing, discounts, order);
    for (let i = 1; i < words.length; i++)
      if (!(words[i - 1]! < words[i]!)) throw new AttendError('word list is not sorted and unique');
    this.unknown = words.length;
    this.end = words.length + 1;
    this.start = words.length + 2;
  }

  /** Counts every n-gram (orders 1..order) of the sentences (words), framed by <s> and </s>. */
  static train(
    sentences: readonly (readonly string[])[],
    order: number,
    smoothing: Smoothing = 'witten-bell',
  ): WordNgram {
    const words = [...new Set(sentences.flat())].sort();
    const id = new Map(words.map((w, i) => [w, i]));
    const start = words.length + 2;
    const framed = sentences.map((s) => [start, ...s.map((w) => id.get(w)!), words.length + 1]);
    const { table, discounts } = smoothedTable(countNgrams(framed, order), order, start, smoothing);
    return new WordNgram(order, words, table, {}, smoothing, discounts);
  }

  /** The id range [lo, hi) of the words that start with `prefix` ('' is every word). */
  range(prefix: string): [number, number] {
    if (prefix === '') return [0, this.words.length];
    return [lowerBound(this.words, prefix), lowerBound(this.words, `${prefix}\uffff`)];
  }

  /** The id of `word`, or undefined when it is not in the vocabulary. */
  idOf(word: string): number | undefined {
    const i = lowerBound(this.words, word);
    return this.words[i] === word ? i : undefined;
  }

  /** Σ p(w | history) over ids lo..hi-1; `history` is the earlier ids, oldest first. */
  mass(history: readonly number[], lo: number, hi: number): number {
    const { ids, cumulative } = this.table;
    let p = (hi - lo) / (this.words.length + 2); // uniform over words, <unk> and </s>
    const usable = Math.min(history.length, this.order - 1);
    for (let k = 0; k <= usable; k++) {
      const segment = this.table.segment(history.slice(history.length - k).join(','));
      if (!segment) break; // a longer context unseen means every longer one is too
      const { from, to } = segment;
      const total = cumulative[to]! - cumulative[from]!;
      const first = lowerBound(ids, lo, from, to);
      const end = lowerBound(ids, hi, from, to);
      const seen = cumulative[end]! - cumulative[first]!;
      const { discount, share, denominator } = interpolation(
        this.smoothing,
        this.discounts[k] ?? 0,
        total,
        to - from,
      );
      p = (seen - discount * (end - first) + share * p) / denominator;
    }
    return p;
  }

  /** log p(id | history). */
  logProb(history: readonly number[], id: number): number {
    return Math.log(this.mass(history, id, id + 1));
  }

  /** log p of a sentence's words (words outside the vocabulary as <unk>) and of its end. */
  sentenceLogProb(words: readonly string[]): SentenceScore {
    let history: number[] = [this.start];
    let logProb = 0;
    for (const id of [...words.map((w) => this.idOf(w) ?? this.unknown), this.end]) {
      logProb += this.logProb(history, id);
      history = [...history, id].slice(-Math.max(1, this.order - 1));
    }
    return { logProb, predictions: words.length + 1 };
  }

  /** Per-word perplexity over sentences. */
  perplexity(sentences: Iterable<readonly string[]>): number {
    return perplexity(sentences, (sentence) => this.sentenceLogProb(sentence));
  }

  toJson(): WordNgramJson {
    return {
      type: 'word-ngram',
      smoothing: this.smoothing,
      ...(this.smoothing === 'kneser-ney' ? { discounts: this.discounts } : {}),
      order: this.order,
      words: this.words,
      ...this.table.toJson(),
      info: this.info,
    };
  }

  static fromJson(json: WordNgramJson): WordNgram {
    if (json.type !== 'word-ngram' || !isSmoothing(json.smoothing))
      throw new AttendError(`not a word n-gram model (type '${json.type}')`);
    return new WordNgram(
      json.order,
      json.words,
      new ContextTable(json),
      json.info,
      json.smoothing,
      json.discounts ?? [],
    );
  }
}
