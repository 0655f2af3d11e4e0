import {
  type LabelledPassage,
  type LabelledWord,
  labelWord,
} from '../../datasets/punctuation/text.js';
import { matchedWords } from '../../src/metrics/alignment.js';
import { type PunctuationScores, scorePunctuation } from '../../src/metrics/punctuation.js';
import {
  isFirstPersonI,
  PUNCTUATION_MARKS,
  type PunctuationModel,
} from '../../src/models/punctuation.js';

/** Passages per forward pass when scoring. */
const BATCH = 64;

/** What a word written by the model is labelled as, read back from its written form. */
const labelOf = (written: string): { mark: number; casing: number } =>
  // Recognised words are letters and apostrophes; one that is not reads as lower case, no mark.
  labelWord(written) ?? { mark: 0, casing: 0 };

/**
 * What a text gets without a model: its first word and "i" capitalised and a full stop after its
 * last word (the rule most ASR post-processing starts from): the figure a model has to beat.
 */
const ruleLabels = (words: readonly string[]): { mark: number; casing: number }[] =>
  words.map((word, t) => ({
    mark: t === words.length - 1 ? 2 : 0,
    casing: t === 0 || isFirstPersonI(word) ? 1 : 0,
  }));

/**
 * The model's marks and casings on held-out passages, against what the text wrote: scored on
 * what `write` writes (a sentence's first word and "i" capitalised, the last word's mark).
 */
export function evaluatePunctuation(
  model: PunctuationModel,
  passages: readonly LabelledPassage[],
): PunctuationScores {
  const predicted: { mark: number; casing: number }[][] = [];
  for (let i = 0; i < passages.length; i += BATCH) {
    const chunk = passages.slice(i, i + BATCH).map((p) => p.words.map((w) => w.word));
    model.decide(chunk).forEach((decisions, b) => {
      const written = model.write(chunk[b]!, decisions);
      predicted.push(written.map(labelOf));
    });
  }
  return scorePunctuation(
    PUNCTUATION_MARKS.map((m) => m || 'none'),
    predicted,
    passages.map((p) => p.words),
  );
}

/** The rule's score on held-out passages (ruleLabels). */
export function baselineScores(passages: readonly LabelledPassage[]): PunctuationScores {
  return scorePunctuation(
    PUNCTUATION_MARKS.map((m) => m || 'none'),
    passages.map((p) => ruleLabels(p.words.map((w) => w.word))),
    passages.map((p) => p.words),
  );
}

/** One utterance of `attend eval asr --hypotheses`: what was said and what was recognised. */
export interface RecognisedUtterance {
  readonly reference: string;
  readonly hypothesis: string;
}

/**
 * Punctuation as users get it: on recognised words, errors and all. Each hypothesis is written
 * by the model, and the words the alignment matches to the reference are scored against how the
 * reference sentence was written (its labels looked up by its words; utterances whose sentence
 * the labelled text does not have are skipped). The rule is scored on the same words.
 */
export function evaluateOnRecognised(
  model: PunctuationModel,
  utterances: readonly RecognisedUtterance[],
  written: ReadonlyMap<string, readonly LabelledWord[]>,
): { model: PunctuationScores; baseline: PunctuationScores; utterances: number } {
  const predicted: { mark: number; casing: number }[][] = [];
  const rule: { mark: number; casing: number }[][] = [];
  const reference: LabelledWord[][] = [];
  for (const u of utterances) {
    const labels = written.get(u.reference);
    const words = u.hypothesis.split(' ').filter(Boolean);
    if (!labels || words.length === 0) continue;
    const [decisions] = model.decide([words]);
    const forms = model.write(words, decisions!);
    const pairs = matchedWords(
      labels.map((w) => w.word),
      words,
    ).reverse();
    const ruled = ruleLabels(words);
    predicted.push(pairs.map(([, h]) => labelOf(forms[h]!)));
    rule.push(pairs.map(([, h]) => ruled[h]!));
    reference.push(pairs.map(([r]) => labels[r]!));
  }
  const marks = PUNCTUATION_MARKS.map((m) => m || 'none');
  return {
    model: scorePunctuation(marks, predicted, reference),
    baseline: scorePunctuation(marks, rule, reference),
    utterances: reference.length,
  };
}
