import { AttendError } from '../errors.js';
import { SPECIALS, type TokenizerJson, UNK } from './characters.js';

/** Marks the start of a word inside a piece (SentencePiece's convention). */
export const WORD_START = '▁';

const wordsOf = (text: string): string[] => text.toLowerCase().split(/\s+/).filter(Boolean);

/** A word as its initial symbols: ▁ + characters. */
const symbols = (word: string): string[] => [WORD_START, ...word];

/**
 * Byte-pair encoding (Sennrich et al. 2016) over characters: pieces are learned by merging the most
 * frequent adjacent pair, `merges` in order; a word is encoded by replaying those merges. Pieces
 * never cross word boundaries; each word begins with ▁, so decoding is joining and turning ▁
 * into spaces. Characters outside the learned alphabet become <unk>.
 */
export class BpeTokenizer {
  private readonly index: Map<string, number>;
  private readonly rank: Map<string, number>;
  private readonly cache = new Map<string, number[]>();

  constructor(
    readonly tokens: readonly string[],
    readonly merges: readonly (readonly [string, string])[],
  ) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
    this.rank = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
  }

  /** Learns merges from texts until the vocabulary (specials + alphabet + pieces) has `size` tokens. */
  static learn(texts: Iterable<string>, size: number): BpeTokenizer {
    const wordCounts = new Map<string, number>();
    for (const text of texts)
      for (const w of wordsOf(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);
    const words = [...wordCounts].map(([w, count]) => ({ parts: symbols(w), count }));
    const alphabet = [...new Set(words.flatMap((w) => w.parts))].sort();
    const tokens = [...SPECIALS, ...alphabet];
    const merges: [string, string][] = [];
    while (tokens.length < size) {
      const pairs = new Map<string, number>();
      for (const { parts, count } of words)
        for (let i = 0; i + 1 < parts.length; i++) {
          const key = `${parts[i]}\u0000${parts[i + 1]}`;
          pairs.set(key, (pairs.get(key) ?? 0) + count);
        }
      let best: string | undefined;
      let bestCount = 1; // a pair seen once is not worth a token
      for (const [key, count] of pairs)
        if (count > bestCount || (count === bestCount && best !== undefined && key < best)) {
          best = key;
          bestCount = count;
        }
      if (!best) break;
      const [a, b] = best.split('\u0000') as [string, string];
      merges.push([a, b]);
      tokens.push(a + b);
      for (const word of words) {
        const merged: string[] = [];
        for (let i = 0; i < word.parts.length; i++) {
          if (word.parts[i] === a && word.parts[i + 1] === b) {
            merged.push(a + b);
            i++;
          } else merged.push(word.parts[i]!);
        }
        word.parts = merged;
      }
    }
    return new BpeTokenizer(tokens, merges);
  }

  static fromJson(json: TokenizerJson): BpeTokenizer {
    if (json.type !== 'bpe' || !json.merges)
      throw new AttendError(`tokenizer type '${json.type}' is not BPE`);
    return new BpeTokenizer(json.tokens, json.merges);
  }

  toJson(): TokenizerJson {
    return { type: 'bpe', tokens: this.tokens, merges: this.merges };
  }

  get size(): number {
    return this.tokens.length;
  }

  private encodeWord(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let parts = symbols(word);
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      let at = -1;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = this.rank.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          at = i;
        }
      }
      if (at < 0) break;
      parts = [...parts.slice(0, at), parts[at]! + parts[at + 1]!, ...parts.slice(at + 2)];
    }
    const ids = parts.map((p) => this.index.get(p) ?? UNK);
    this.cache.set(word, ids);
    return ids;
  }

  encode(text: string): number[] {
    return wordsOf(text).flatMap((w) => this.encodeWord(w));
  }

  /** The surface text of each token (▁ as a space), for aligning tokens with characters. */
  pieces(ids: readonly number[]): string[] {
    return ids
      .filter((id) => id >= UNK)
      .map((id) => (id === UNK ? '?' : (this.tokens[id] ?? '')).replaceAll(WORD_START, ' '));
  }

  decode(ids: readonly number[]): string {
    return this.pieces(ids).join('').trim();
  }
}
