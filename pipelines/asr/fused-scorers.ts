import { HotwordScorer, normaliseHotwords } from '../../src/lm/hotwords.js';
import { LexiconScorer } from '../../src/lm/lexicon.js';
import type { NgramLm } from '../../src/lm/ngram.js';
import { WordLookaheadScorer } from '../../src/lm/word-lookahead.js';
import type { WordNgram } from '../../src/lm/word-ngram.js';
import type { WeightedScorer } from '../../src/search/scorer.js';
import { EOS } from '../../src/text/characters.js';
import type { SpeechTokenizer } from '../../src/text/tokenizer.js';

/** The weights of what beam search fuses, and the words to bias it towards. */
export interface FusionWeights {
  readonly lmWeight: number;
  readonly lexiconWeight: number;
  readonly wordLmWeight: number;
  readonly hotwords: readonly string[];
  readonly hotwordBonus: number;
}

/**
 * What a transcription fuses into beam search, built once per pipeline: the character n-gram,
 * the lexicon penalty, the word n-gram with look-ahead and, per hotword list (made once each),
 * the hotword bonus with a lexicon that holds the listed words too.
 */
export function fusedScorers(
  tokenizer: SpeechTokenizer,
  lm: NgramLm | undefined,
  wordLm: WordNgram | undefined,
): (weights: FusionWeights) => WeightedScorer[] {
  const tokenTexts = Array.from({ length: tokenizer.size }, (_, id) =>
    tokenizer.pieces([id]).join(''),
  );
  const lexiconWords = lm?.lexicon ?? [];
  const lexicon = lexiconWords.length
    ? new LexiconScorer(lexiconWords, tokenTexts, EOS)
    : undefined;
  const words = wordLm ? new WordLookaheadScorer(wordLm, tokenTexts, EOS) : undefined;
  const spellable = new Set(tokenTexts.join(''));
  const biasingByList = new Map<string, { lexicon?: LexiconScorer; hotwords: HotwordScorer }>();
  const biasing = (list: readonly string[]) => {
    const key = list.join('\n');
    let made = biasingByList.get(key);
    if (!made) {
      const hotwords = normaliseHotwords(list, (ch) => spellable.has(ch));
      made = {
        ...(lexiconWords.length
          ? { lexicon: new LexiconScorer([...lexiconWords, ...hotwords], tokenTexts, EOS) }
          : {}),
        hotwords: new HotwordScorer(hotwords, tokenTexts, EOS, lexiconWords),
      };
      biasingByList.set(key, made);
    }
    return made;
  };
  return ({ lmWeight, lexiconWeight, wordLmWeight, hotwords, hotwordBonus }) => {
    const biased = hotwords.length > 0 ? biasing(hotwords) : undefined;
    const lexiconScorer = biased ? biased.lexicon : lexicon;
    return [
      ...(lm ? [{ scorer: lm, weight: lmWeight }] : []),
      ...(lexiconScorer ? [{ scorer: lexiconScorer, weight: lexiconWeight }] : []),
      ...(words ? [{ scorer: words, weight: wordLmWeight }] : []),
      ...(biased ? [{ scorer: biased.hotwords, weight: hotwordBonus }] : []),
    ];
  };
}
