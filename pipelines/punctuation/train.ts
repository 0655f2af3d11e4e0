import {
  asteriskTexts,
  fortuneTexts,
  type LabelledPassage,
  passagesOf,
} from '../../datasets/punctuation/text.js';
import { AttendError } from '../../src/errors.js';
import { type PunctuationConfig, PunctuationModel } from '../../src/models/punctuation.js';
import { UNK } from '../../src/text/characters.js';
import { WordTokenizer } from '../../src/text/words.js';
import {
  type LoopSettings,
  runOrigin,
  runTraining,
  type TrainState,
} from '../../src/train/loop.js';
import { presetNamed, startingModel } from '../../src/train/start.js';
import { shuffleInPlace } from '../../src/util/random.js';
import { baselineScores, evaluatePunctuation } from './evaluate.js';

/** Model sizes: the stack over word embeddings (the vocabulary is most of the parameters). */
export const PUNCTUATION_PRESETS: Record<string, Omit<PunctuationConfig, 'task' | 'mixedCase'>> = {
  small: {
    encoder: {
      dim: 128,
      layers: 3,
      ffnDim: 384,
      selfAttention: { kind: 'multi-head', heads: 4, dim: 128 },
      dropout: 0.3,
    },
  },
  tiny: {
    encoder: {
      dim: 32,
      layers: 1,
      ffnDim: 64,
      selfAttention: { kind: 'multi-head', heads: 2, dim: 32 },
      dropout: 0,
    },
  },
};

export interface TrainPunctuationOptions extends LoopSettings {
  readonly preset: string;
  readonly batchSize: number;
  /** The most frequent training words, up to this many, have their own embedding. */
  readonly vocabulary: number;
  /**
   * Each training word is read as <unk> with this probability: the model learns to place marks
   * around words it does not know, as recognised speech has (misrecognised and rare words).
   */
  readonly wordDropout: number;
  /** The labelled text (default: Debian's fortunes and the Asterisk prompts). */
  readonly passages?: readonly LabelledPassage[];
}

/** The text the shipped model learns from, split by sentence as the speech corpus is. */
export function defaultPassages(): LabelledPassage[] {
  const passages = passagesOf([...fortuneTexts(), ...asteriskTexts()]);
  if (passages.length === 0)
    throw new AttendError('no text to learn punctuation from (apt: fortunes-min fortunes)');
  return passages;
}

/** Words written in mixed case more often than not (mcdonald's -> McDonald's), at least twice. */
function mixedCaseLexicon(passages: readonly LabelledPassage[]): Record<string, string> {
  const forms = new Map<string, Map<string, number>>();
  for (const p of passages)
    for (const w of p.words) {
      const counts = forms.get(w.word) ?? new Map<string, number>();
      const form = w.casing === 3 ? w.written : `#${w.casing}`;
      counts.set(form, (counts.get(form) ?? 0) + 1);
      forms.set(w.word, counts);
    }
  const lexicon: Record<string, string> = {};
  for (const [word, counts] of forms) {
    const [top, n] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
    if (!top.startsWith('#') && n >= 2) lexicon[word] = top;
  }
  return lexicon;
}

/**
 * Trains (or resumes, or fine-tunes) a punctuation and casing model with the shared loop on
 * passages of written text: each epoch visits every training passage once, in batches of
 * similar length; dev mark F1 and capital F1 pick the best.
 */
export async function trainPunctuation(options: TrainPunctuationOptions): Promise<TrainState> {
  const passages = options.passages ?? defaultPassages();
  const train = passages.filter((p) => p.split === 'train');
  const dev = passages.filter((p) => p.split === 'dev');
  if (train.length === 0 || dev.length === 0)
    throw new AttendError('punctuation text: no training or no dev passages');
  const preset = presetNamed(PUNCTUATION_PRESETS, options.preset);
  const { model, resumeState } = startingModel(
    options.out,
    options.init,
    (dir) => PunctuationModel.load(dir),
    () => {
      const built = new PunctuationModel(
        { task: 'punctuation', ...preset, mixedCase: mixedCaseLexicon(train) },
        // The most frequent training words seen twice or more.
        WordTokenizer.fromCaptions(
          train.map((p) => p.words.map((w) => w.word).join(' ')),
          2,
          options.vocabulary,
        ),
      );
      built.build();
      return built;
    },
  );
  const baseline = baselineScores(dev);
  const origin = runOrigin(options);
  try {
    return await runTraining(
      options,
      {
        label: 'train punctuation',
        model,
        *epoch(random) {
          // Shuffle, then sort within windows of 50 batches: batches of similar length pad little.
          const order = shuffleInPlace(
            train.map((_, i) => i),
            random,
          );
          const window = options.batchSize * 50;
          for (let w = 0; w < order.length; w += window) {
            const sorted = order
              .slice(w, w + window)
              .sort((a, b) => train[a]!.words.length - train[b]!.words.length);
            for (let b = 0; b < sorted.length; b += options.batchSize) {
              const chunk = sorted.slice(b, b + options.batchSize).map((i) => train[i]!.words);
              yield () => ({
                ids: chunk.map((words) =>
                  words.map((w) =>
                    random() < options.wordDropout ? UNK : model.tokenizer.idOf(w.word),
                  ),
                ),
                marks: chunk.map((words) => words.map((w) => w.mark)),
                casings: chunk.map((words) => words.map((w) => w.casing)),
              });
            }
          }
        },
        loss(batch) {
          const { marks, casings } = model.loss(batch, true);
          return { total: marks.add(casings), parts: { marks, casings } };
        },
        disposeBatch: () => {},
        async evaluate() {
          const scores = evaluatePunctuation(model, dev);
          return {
            score: -(scores.markF1 + scores.capitals.f1) / 2,
            metrics: { devMarkF1: scores.markF1, devCapitalF1: scores.capitals.f1 },
          };
        },
        card: (state) => ({
          task: 'punctuation',
          data: 'Debian fortunes (fortune-mod collection) + Asterisk prompt transcripts',
          passages: { train: train.length, dev: dev.length },
          parameters: model.params.size(),
          vocabulary: model.tokenizer.size,
          steps: state.step,
          secondsTrained: Math.round(state.secondsTrained),
          bestDevScore: -state.best,
          devBaseline: { markF1: baseline.markF1, capitalF1: baseline.capitals.f1 },
          ...origin.card,
          retrain: `attend train punctuation --out ${options.out} ${origin.flag}`,
        }),
      },
      resumeState,
    );
  } finally {
    model.dispose();
  }
}
