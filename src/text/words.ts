import { AttendError } from '../errors.js';
import { SPECIALS, type TokenizerJson, UNK } from './characters.js';

/** Lower-cased words of a caption: letters, digits and apostrophes; punctuation dropped. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

/**
 * Word vocabulary built from training captions (Show-Attend-and-Tell style): the specials, then
 * every word seen at least `minCount` times, most frequent first (at most `maxSize` tokens in
 * all); the rest become <unk>.
 */
export class WordTokenizer {
  private readonly index: Map<string, number>;

  constructor(readonly tokens: readonly string[]) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
  }

  static fromCaptions(
    captions: Iterable<string>,
    minCount = 1,
    maxSize = Number.POSITIVE_INFINITY,
  ): WordTokenizer {
    const counts = new Map<string, number>();
    for (const caption of captions)
      for (const word of words(caption)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const kept = [...counts]
      .filter(([, n]) => n >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, Math.max(0, maxSize - SPECIALS.length))
      .map(([word]) => word);
    return new WordTokenizer([...SPECIALS, ...kept]);
  }

  static fromJson(json: TokenizerJson): WordTokenizer {
    if (json.type !== 'words')
      throw new AttendError(`tokenizer type '${json.type}' is not a word tokenizer`);
    return new WordTokenizer(json.tokens);
  }

  toJson(): TokenizerJson {
    return { type: 'words', tokens: this.tokens };
  }

  get size(): number {
    return this.tokens.length;
  }

  /** One word's id (<unk> when it is not in the vocabulary). */
  idOf(word: string): number {
    return this.index.get(word) ?? UNK;
  }

  encode(text: string): number[] {
    return words(text).map((w) => this.index.get(w) ?? UNK);
  }

  /** Ids -> caption (specials skipped except <unk>, which shows as such). */
  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => id >= UNK)
      .map((id) => this.tokens[id] ?? '<unk>')
      .join(' ');
  }
}
