import { AttendError } from '../errors.js';

/** What word-lm.json.gz holds. */
export interface WordNgramJson {
  readonly type: 'word-ngram';
  readonly smoothing: 'witten-bell';
  readonly order: number;
  /** The vocabulary, sorted (a word's id is its index; so every spelling prefix is an id range). */
  readonly words: readonly string[];
  /** Every context seen (its ids joined by ','), and how many continuations each has... */
  readonly contexts: readonly string[];
  readonly sizes: readonly number[];
  /** ...which follow in these flat lists, context by context, ids ascending (flat arrays parse fast). */
  readonly ids: readonly number[];
  readonly counts: readonly number[];
  readonly info?: Record<string, unknown>;
}

/** The counts a WordNgram is made from: WordNgramJson's tables. */
export type WordCounts = Pick<WordNgramJson, 'contexts' | 'sizes' | 'ids' | 'counts'>;

/** The first index in [lo, hi) of `sorted` whose value is not below `value` (hi if none). */
function lowerBound<T>(sorted: ArrayLike<T>, value: T, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A word n-gram with interpolated Witten-Bell smoothing (as NgramLm, over words) that can sum its
 * probabilities over a range of word ids in O(order · log n). Words are sorted, so the words that
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
  /**
   * Every context's continuations in three flat arrays (a few hundred thousand small typed
   * arrays took seconds to make): context c owns ids[starts[c]..starts[c+1]), sorted, and
   * cumulative[g] sums the counts of ids[0..g).
   */
  private readonly contextIndex = new Map<string, number>();
  private readonly starts: Int32Array;
  private readonly ids: Int32Array;
  private readonly cumulative: Float64Array;

  constructor(
    readonly order: number,
    readonly words: readonly string[],
    table: WordCounts,
    public info: Record<string, unknown> = {},
  ) {
    if (!(order >= 1)) throw new AttendError(`n-gram order must be at least 1, got ${order}`);
    for (let i = 1; i < words.length; i++)
      if (!(words[i - 1]! < words[i]!)) throw new AttendError('word list is not sorted and unique');
    if (table.ids.length !== table.counts.length || table.sizes.length !== table.contexts.length)
      throw new AttendError('word n-gram tables do not match in length');
    this.unknown = words.length;
    this.end = words.length + 1;
    this.start = words.length + 2;
    this.starts = new Int32Array(table.contexts.length + 1);
    table.contexts.forEach((key, c) => {
      this.contextIndex.set(key, c);
      this.starts[c + 1] = this.starts[c]! + table.sizes[c]!;
    });
    if (this.starts[table.contexts.length] !== table.ids.length)
      throw new AttendError('word n-gram tables do not match in length');
    this.ids = Int32Array.from(table.ids);
    this.cumulative = new Float64Array(table.ids.length + 1);
    for (let g = 0; g < table.ids.length; g++)
      this.cumulative[g + 1] = this.cumulative[g]! + table.counts[g]!;
  }

  /** Counts every n-gram (orders 1..order) of the sentences (words), framed by <s> and </s>. */
  static train(sentences: readonly (readonly string[])[], order: number): WordNgram {
    const words = [...new Set(sentences.flat())].sort();
    const id = new Map(words.map((w, i) => [w, i]));
    const start = words.length + 2;
    const end = words.length + 1;
    const counts = new Map<string, Map<number, number>>();
    for (const sentence of sentences) {
      const framed = [start, ...sentence.map((w) => id.get(w)!), end];
      for (let i = 1; i < framed.length; i++) {
        for (let k = 0; k < order && i - k >= 0; k++) {
          const key = framed.slice(i - k, i).join(',');
          const entry = counts.get(key) ?? new Map<number, number>();
          entry.set(framed[i]!, (entry.get(framed[i]!) ?? 0) + 1);
          counts.set(key, entry);
        }
      }
    }
    const table = {
      contexts: [] as string[],
      sizes: [] as number[],
      ids: [] as number[],
      counts: [] as number[],
    };
    for (const [key, entry] of counts) {
      const continuations = [...entry].sort((a, b) => a[0] - b[0]);
      table.contexts.push(key);
      table.sizes.push(continuations.length);
      for (const [next, count] of continuations) {
        table.ids.push(next);
        table.counts.push(count);
      }
    }
    return new WordNgram(order, words, table);
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
    let p = (hi - lo) / (this.words.length + 2); // uniform over words, <unk> and </s>
    const usable = Math.min(history.length, this.order - 1);
    for (let k = 0; k <= usable; k++) {
      const c = this.contextIndex.get(history.slice(history.length - k).join(','));
      if (c === undefined) break; // a longer context unseen means every longer one is too
      const from = this.starts[c]!;
      const to = this.starts[c + 1]!;
      const total = this.cumulative[to]! - this.cumulative[from]!;
      const types = to - from;
      const seen =
        this.cumulative[lowerBound(this.ids, hi, from, to)]! -
        this.cumulative[lowerBound(this.ids, lo, from, to)]!;
      p = (seen + types * p) / (total + types);
    }
    return p;
  }

  /** log p(id | history). */
  logProb(history: readonly number[], id: number): number {
    return Math.log(this.mass(history, id, id + 1));
  }

  /** log p of a sentence's words (words outside the vocabulary as <unk>) and of its end. */
  sentenceLogProb(words: readonly string[]): { logProb: number; predictions: number } {
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
    let logProb = 0;
    let predictions = 0;
    for (const sentence of sentences) {
      const scored = this.sentenceLogProb(sentence);
      logProb += scored.logProb;
      predictions += scored.predictions;
    }
    return Math.exp(-logProb / predictions);
  }

  toJson(): WordNgramJson {
    return {
      type: 'word-ngram',
      smoothing: 'witten-bell',
      order: this.order,
      words: this.words,
      contexts: [...this.contextIndex.keys()],
      sizes: Array.from(this.starts.subarray(1), (end, c) => end - this.starts[c]!),
      ids: Array.from(this.ids),
      counts: Array.from(this.ids, (_, g) => this.cumulative[g + 1]! - this.cumulative[g]!),
      info: this.info,
    };
  }

  static fromJson(json: WordNgramJson): WordNgram {
    if (json.type !== 'word-ngram' || json.smoothing !== 'witten-bell')
      throw new AttendError(`not a Witten-Bell word n-gram model (type '${json.type}')`);
    return new WordNgram(json.order, json.words, json, json.info);
  }
}
