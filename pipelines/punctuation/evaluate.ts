import type { LabelledPassage, LabelledWord } from '../../datasets/punctuation/text.js';
import { matchedWords } from '../../src/metrics/alignment.js';
import { type PunctuationScores, scorePunctuation } from '../../src/metrics/punctuation.js';
import { PUNCTUATION_MARKS, type PunctuationModel } from '../../src/models/punctuation.js';

/** Passages per forward pass when scoring. */
const BATCH = 64;

/**
 * The model's marks and casings on held-out passages, against what the text wrote. The casing a
 * word gets is what `write` would give it: a sentence's first word and "i" are capitalised by rule.
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
      predicted.push(
        decisions.map((d, t) => ({ mark: d.mark, casing: casingOf(written[t]!, d.casing) })),
      );
    });
  }
  return scorePunctuation(
    PUNCTUATION_MARKS.map((m) => m || 'none'),
    predicted,
    passages.map((p) => p.words),
  );
}

/** The casing class of a written word, as labelled (a rule-capitalised word is class 1). */
function casingOf(written: string, predicted: number): number {
  const bare = written.replace(/[,.?]$/, '');
  if (bare === bare.toLowerCase()) return 0;
  return predicted === 0 ? 1 : predicted;
}

/**
 * What a text gets without a model: its first word and "i" capitalised and a full stop at the
 * end (the rule most ASR post-processing starts from): the figure a model has to beat.
 */
export function baselineScores(passages: readonly LabelledPassage[]): PunctuationScores {
  return scorePunctuation(
    PUNCTUATION_MARKS.map((m) => m || 'none'),
    passages.map((p) =>
      p.words.map((w, t) => ({
        mark: t === p.words.length - 1 ? 2 : 0,
        casing: t === 0 || w.word === 'i' || w.word.startsWith("i'") ? 1 : 0,
      })),
    ),
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
    predicted.push(
      pairs.map(([, h]) => ({
        mark: decisions![h]!.mark,
        casing: casingOf(forms[h]!, decisions![h]!.casing),
      })),
    );
    rule.push(
      pairs.map(([, h]) => ({
        mark: h === words.length - 1 ? 2 : 0,
        casing: h === 0 || words[h] === 'i' || words[h]!.startsWith("i'") ? 1 : 0,
      })),
    );
    reference.push(pairs.map(([r]) => labels[r]!));
  }
  const marks = PUNCTUATION_MARKS.map((m) => m || 'none');
  return {
    model: scorePunctuation(marks, predicted, reference),
    baseline: scorePunctuation(marks, rule, reference),
    utterances: reference.length,
  };
}
