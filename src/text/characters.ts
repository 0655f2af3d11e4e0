import { AttendError } from '../errors.js';

/** Ids every tokenizer reserves: 0 doubles as the CTC blank (it is never a target). */
export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const UNK = 3;
export const SPECIALS = ['<pad>', '<s>', '</s>', '<unk>'];

export interface TokenizerJson {
  readonly type: 'characters' | 'words' | 'bpe';
  readonly tokens: readonly string[];
  /** BPE only: the merges, in the order they were learned. */
  readonly merges?: readonly (readonly [string, string])[];
}

/** Character vocabulary: specials, then the symbols of the text (space included). */
export class CharacterTokenizer {
  private readonly index: Map<string, number>;

  constructor(readonly tokens: readonly string[]) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
  }

  static english(): CharacterTokenizer {
    return new CharacterTokenizer([...SPECIALS, ' ', "'", ...'abcdefghijklmnopqrstuvwxyz']);
  }

  static fromJson(json: TokenizerJson): CharacterTokenizer {
    if (json.type !== 'characters')
      throw new AttendError(`tokenizer type '${json.type}' is not a character tokenizer`);
    return new CharacterTokenizer(json.tokens);
  }

  toJson(): TokenizerJson {
    return { type: 'characters', tokens: this.tokens };
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Text -> ids (lower-cased; unknown symbols become <unk>), without BOS/EOS. */
  encode(text: string): number[] {
    return [...text.toLowerCase()].map((ch) => this.index.get(ch) ?? UNK);
  }

  /** The text of each token (one character each; specials dropped). */
  pieces(ids: readonly number[]): string[] {
    return ids.filter((id) => id >= SPECIALS.length).map((id) => this.tokens[id] ?? '');
  }

  /** Ids -> text, skipping specials. */
  decode(ids: readonly number[]): string {
    return ids
      .filter((id) => id >= SPECIALS.length)
      .map((id) => this.tokens[id] ?? '')
      .join('');
  }
}
