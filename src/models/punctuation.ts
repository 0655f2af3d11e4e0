import {
  SelfAttentionStack,
  type SelfAttentionStackConfig,
} from '../encoders/self-attention-stack.js';
import { loadModel, saveModel } from '../io/model-checkpoint.js';
import { dense, embed, positionalEncoding } from '../nn/layers.js';
import { ParamStore } from '../nn/params.js';
import { tf } from '../runtime/tf.js';
import { PAD, UNK } from '../text/characters.js';
import { WordTokenizer } from '../text/words.js';

/** The marks and casings the model predicts (datasets/punctuation/text.ts labels them so). */
export const PUNCTUATION_MARKS = ['', ',', '.', '?'] as const;
export const CASINGS = ['lower', 'capital', 'upper', 'mixed'] as const;

/**
 * A question mark is rarer than a full stop (7% of the sentences it learned on) and the model
 * under-predicts it: its probability counts this much more when marks are chosen. Tuned on the
 * dev sentences (punct-en: '?' F1 0.35 -> 0.43, the other marks unchanged; 2 no better).
 */
const QUESTION_BIAS = 1.5;

/** The mark chosen from a word's mark probabilities. */
const chooseMark = (p: readonly number[]): number => {
  const weighted = p.map((x, mark) => (mark === 3 ? x * QUESTION_BIAS : x));
  return weighted.indexOf(Math.max(...weighted));
};

/** Everything needed to rebuild a punctuation model; saved as model.json's config. */
export interface PunctuationConfig {
  readonly task: 'punctuation';
  readonly encoder: SelfAttentionStackConfig;
  /** Words whose written form is mixed case (mcdonald's -> McDonald's), from the training text. */
  readonly mixedCase: Readonly<Record<string, string>>;
}

/** A batch of word sequences: ids [B, T] (PAD after each length) and per-word labels. */
export interface PunctuationBatch {
  readonly ids: number[][];
  readonly marks: number[][];
  readonly casings: number[][];
}

/** What the model says about one word. */
export interface WordDecision {
  readonly mark: number;
  readonly casing: number;
  /** The probability of each mark (PUNCTUATION_MARKS' order). */
  readonly markProbabilities: readonly number[];
}

/**
 * Punctuation and casing for ASR output (lower case, no marks): each word's embedding, a
 * self-attention stack over the whole passage (a mark depends on the words after it: "what's for
 * supper" is a question), and two softmax heads per word: the mark after it and how it is
 * written. Words outside the vocabulary are <unk> (their casing still follows from the context).
 */
export class PunctuationModel {
  readonly stack: SelfAttentionStack;

  constructor(
    readonly config: PunctuationConfig,
    readonly tokenizer: WordTokenizer,
    readonly params = new ParamStore(),
  ) {
    this.stack = new SelfAttentionStack(config.encoder, params.scope('encoder'));
  }

  /** Logits of both heads, [B, T, marks] and [B, T, casings]. */
  logits(
    ids: number[][],
    training = false,
  ): { marks: tf.Tensor3D; casings: tf.Tensor3D; mask: tf.Tensor2D } {
    const { dim } = this.config.encoder;
    const length = Math.max(1, ...ids.map((row) => row.length));
    const padded = ids.map((row) => [...row, ...new Array<number>(length - row.length).fill(PAD)]);
    const mask = tf.tensor2d(
      ids.map((row) => Array.from({ length }, (_, t) => (t < row.length ? 1 : 0))),
      [ids.length, length],
    );
    const x = embed(this.params, tf.tensor2d(padded, undefined, 'int32'), this.tokenizer.size, dim)
      .mul(Math.sqrt(dim))
      .add(positionalEncoding(length, dim)) as tf.Tensor3D;
    const h = this.stack.apply(x, mask, training);
    return {
      marks: dense(this.params, h, PUNCTUATION_MARKS.length, { name: 'marks' }) as tf.Tensor3D,
      casings: dense(this.params, h, CASINGS.length, { name: 'casings' }) as tf.Tensor3D,
      mask,
    };
  }

  /** Mean cross-entropy of both heads over the real words of the batch. */
  loss(batch: PunctuationBatch, training = true): { marks: tf.Scalar; casings: tf.Scalar } {
    const { marks, casings, mask } = this.logits(batch.ids, training);
    const [b, t] = mask.shape;
    const weight = mask.reshape([b * t]);
    const words = weight.sum();
    const head = (logits: tf.Tensor3D, labels: number[][], classes: number) => {
      const flat = labels.flatMap((row) => [...row, ...new Array<number>(t - row.length).fill(0)]);
      const oneHot = tf.oneHot(tf.tensor1d(flat, 'int32'), classes);
      const logProbs = tf.logSoftmax(logits.reshape([b * t, classes]));
      return oneHot.mul(logProbs).sum(1).mul(weight).sum().neg().div(words) as tf.Scalar;
    };
    return {
      marks: head(marks, batch.marks, PUNCTUATION_MARKS.length),
      casings: head(casings, batch.casings, CASINGS.length),
    };
  }

  /** Each word's most probable mark and casing; `words` are lower-case ASR words. */
  decide(passages: readonly (readonly string[])[]): WordDecision[][] {
    if (passages.length === 0) return [];
    const ids = passages.map((words) => words.map((w) => this.tokenizer.idOf(w)));
    const [markProbs, casingArgmax] = tf.tidy(() => {
      const { marks, casings } = this.logits(ids);
      return [tf.softmax(marks), casings.argMax(2)];
    });
    const probs = markProbs.arraySync() as number[][][];
    const casing = casingArgmax.arraySync() as number[][];
    tf.dispose([markProbs, casingArgmax]);
    return passages.map((words, b) =>
      words.map((_, t) => {
        const p = probs[b]![t]!;
        return { mark: chooseMark(p), casing: casing[b]![t]!, markProbabilities: p };
      }),
    );
  }

  /**
   * The words written out: marks after them, casing applied, each sentence's first word
   * capitalised. When the words end a text (`final`), the last one ends its sentence: a full stop
   * or a question mark, whichever the model finds likelier there.
   */
  write(words: readonly string[], decisions: readonly WordDecision[], final = true): string[] {
    let sentenceStart = true;
    return words.map((word, t) => {
      const { casing, markProbabilities: p } = decisions[t]!;
      let { mark } = decisions[t]!;
      if (final && t === words.length - 1 && mark < 2) mark = chooseMark([0, 0, p[2]!, p[3]!]);
      let written = word;
      if (casing === 2 && word.length > 1) written = word.toUpperCase();
      else if (casing === 3) written = this.config.mixedCase[word] ?? capitalise(word);
      else if (casing === 1 || sentenceStart || isFirstPersonI(word)) written = capitalise(word);
      sentenceStart = mark >= 2;
      return written + PUNCTUATION_MARKS[mark]!;
    });
  }

  save(dir: string, card?: unknown): Promise<void> {
    return saveModel(this, dir, card);
  }

  static load(dir: string): PunctuationModel {
    return loadModel<PunctuationConfig, PunctuationModel>(
      dir,
      'punctuation',
      'punctuation',
      (config, tokenizer) => new PunctuationModel(config, WordTokenizer.fromJson(tokenizer)),
    );
  }

  /** Creates every parameter with a dummy forward pass. */
  build(): void {
    tf.tidy(() => {
      this.logits([[UNK]]);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** "i" and its contractions (i'm, i'll), capitalised wherever they stand. */
export const isFirstPersonI = (word: string): boolean => word === 'i' || word.startsWith("i'");

const capitalise = (word: string): string => word.charAt(0).toUpperCase() + word.slice(1);
