import { AttendError } from '../errors.js';

/** What word-lm.json.gz holds. */
export interface WordNgramJson {
  readonly type: 'word-ngram';
  readonly smoothing: 'witten-bell';
  readonly order: number;
  /** The vocabulary, sorted (a word's id is its index; so every spelling prefix is an id range). */
  readonly words: readonly string[];
  /** [context ids joined by ',', [[word id, count], …]] for every context seen. */
  readonly contexts: readonly (readonly [string, readonly (readonly [number, number])[]])[];
  readonly info?: Record<string, unknown>;
}

/** One context's continuations: ids sorted, with running count sums for range counts. */
interface Continuations {
  readonly total: number;
  readonly types: number;
  readonly ids: Int32Array;
  /** cumulative[i]: the counts of ids[0..i) summed. */
  readonly cumulative: Float64Array;
}

/** The first index of `sorted` whose value is not below `value`. */
function lowerBound<T>(sorted: ArrayLike<T>, value: T): number {
  let lo = 0;
  let hi = sorted.length;
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
  private readonly contexts = new Map<string, Continuations>();

  constructor(
    readonly order: number,
    readonly words: readonly string[],
    counts: Iterable<readonly [string, Iterable<readonly [number, number]>]>,
    public info: Record<string, unknown> = {},
  ) {
    if (!(order >= 1)) throw new AttendError(`n-gram order must be at least 1, got ${order}`);
    for (let i = 1; i < words.length; i++)
      if (!(words[i - 1]! < words[i]!)) throw new AttendError('word list is not sorted and unique');
    this.unknown = words.length;
    this.end = words.length + 1;
    this.start = words.length + 2;
    for (const [key, pairs] of counts) {
      const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
      const cumulative = new Float64Array(sorted.length + 1);
      sorted.forEach(([, count], i) => {
        cumulative[i + 1] = cumulative[i]! + count;
      });
      this.contexts.set(key, {
        total: cumulative[sorted.length]!,
        types: sorted.length,
        ids: Int32Array.from(sorted, ([id]) => id),
        cumulative,
      });
    }
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
    return new WordNgram(order, words, counts);
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
      const entry = this.contexts.get(history.slice(history.length - k).join(','));
      if (!entry) break; // a longer context unseen means every longer one is too
      const seen =
        entry.cumulative[lowerBound(entry.ids, hi)]! - entry.cumulative[lowerBound(entry.ids, lo)]!;
      p = (seen + entry.types * p) / (entry.total + entry.types);
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
      contexts: [...this.contexts].map(([key, entry]) => [
        key,
        Array.from(
          entry.ids,
          (id, i) => [id, entry.cumulative[i + 1]! - entry.cumulative[i]!] as const,
        ),
      ]),
      info: this.info,
    };
  }

  static fromJson(json: WordNgramJson): WordNgram {
    if (json.type !== 'word-ngram' || json.smoothing !== 'witten-bell')
      throw new AttendError(`not a Witten-Bell word n-gram model (type '${json.type}')`);
    return new WordNgram(json.order, json.words, json.contexts, json.info);
  }
}
