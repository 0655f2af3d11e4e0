import { AttendError } from '../errors.js';
import { BpeTokenizer } from './bpe.js';
import { CharacterTokenizer, type TokenizerJson } from './characters.js';
import { WordTokenizer } from './words.js';

/** What models need of a tokenizer; ids 0-3 are <pad>/<s>/</s>/<unk> in every one. */
export interface Tokenizer {
  readonly size: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  toJson(): TokenizerJson;
}

/** Tokenizers of speech models also say which text each token stands for (for word times). */
export interface SpeechTokenizer extends Tokenizer {
  pieces(ids: readonly number[]): string[];
}

/**
 * The token that stands for the space between words, when one does (characters; BPE pieces
 * carry their spaces). Alignment lets it go unsaid (CtcAlignOptions.optionalToken).
 */
export function wordSpaceToken(tokenizer: SpeechTokenizer): number | undefined {
  const ids = tokenizer.encode(' ');
  return ids.length === 1 && tokenizer.pieces(ids)[0] === ' ' ? ids[0] : undefined;
}

/** The tokenizer a speech checkpoint saved: characters or BPE. */
export function speechTokenizerFromJson(json: TokenizerJson): SpeechTokenizer {
  if (json.type === 'characters') return CharacterTokenizer.fromJson(json);
  if (json.type === 'bpe') return BpeTokenizer.fromJson(json);
  throw new AttendError(`a speech model needs a character or BPE tokenizer, not '${json.type}'`);
}

/** Rebuilds whichever tokenizer a checkpoint saved. */
export function tokenizerFromJson(json: TokenizerJson): Tokenizer {
  switch (json.type) {
    case 'characters':
      return CharacterTokenizer.fromJson(json);
    case 'words':
      return WordTokenizer.fromJson(json);
    case 'bpe':
      return BpeTokenizer.fromJson(json);
    default:
      throw new AttendError(`unknown tokenizer type '${(json as { type: string }).type}'`);
  }
}
