import { existsSync } from 'node:fs';
import { decodeAudioBytes, decodeAudioFile } from '../src/audio/decode.js';
import type { Features } from '../src/audio/features.js';
import { toMono16k } from '../src/audio/resample.js';
import { speechRanges } from '../src/audio/segment.js';
import { AttendError } from '../src/errors.js';
import { resolveLm, resolveWordLm } from '../src/lm/files.js';
import type { NgramLm } from '../src/lm/ngram.js';
import type { WordNgram } from '../src/lm/word-ngram.js';
import { AsrModel, asrFeatures, padFeatures } from '../src/models/asr.js';
import { type AdaptationOptions, adaptToUtterance } from '../src/models/asr-adapt.js';
import type { AttentionRow, Segment, Transcript, WordTiming } from '../src/output/transcript.js';
import { projectPath } from '../src/paths.js';
import { tf } from '../src/runtime/tf.js';
import { ctcWordTimes } from '../src/search/ctc-word-times.js';
import { DEFAULT_DECODING, type DecodingOptions, type Hypothesis } from '../src/search/index.js';
import { readTunedDecoding } from './asr/evaluate.js';
import { fusedScorers } from './asr/fused-scorers.js';
import { warpFeatures } from './asr/vocal-tract-warp.js';

export type { AttentionRow, Segment, Transcript, WordTiming };

/** Seconds per encoder frame: the feature hop times the encoder's ×4 subsampling. */
export const secondsPerFrame = (model: AsrModel) => (model.config.features.hopMs / 1000) * 4;

/**
 * Word times from CTC's forced alignment (the hypothesis's tokenSpans, see ctcWordTimes) or,
 * without it, from the attention of each emitted token (its most attended encoder frame).
 * `pieces` is each token's text (a string is one character per token); a word spans the tokens
 * its characters came from; starts never go back. Segments break at pauses and stay short.
 * Measured against a synthesiser's true word times (`attend eval align`, 135 festival
 * utterances incl. the held-out slt): CTC's boundaries are off by 26 ms on average, 88% within
 * 50 ms; attention's by 40 ms, 73%.
 */
export function wordTimings(
  hypothesis: Hypothesis,
  pieces: string | readonly string[],
  frameSeconds: number,
  duration: number,
): { words: WordTiming[]; segments: Segment[] } {
  const parts = typeof pieces === 'string' ? [...pieces] : pieces;
  const text = parts.join('');
  const tokenOf = parts.flatMap((piece, t) => Array<number>(piece.length).fill(t));
  /** Per word: its characters [from, to) and its tokens [first, last]. */
  const ranges: { from: number; to: number; first: number; last: number }[] = [];
  for (const match of text.matchAll(/[^ ]+/g)) {
    const from = match.index;
    const to = from + match[0].length;
    ranges.push({ from, to, first: tokenOf[from]!, last: tokenOf[to - 1]! });
  }
  const spans = hypothesis.tokenSpans;
  const times =
    spans && ranges.every((r) => spans[r.last])
      ? ctcWordTimes(
          ranges.map((r) => ({ first: spans[r.first]!, last: spans[r.last]! })),
          frameSeconds,
        )
      : attentionWordTimes(hypothesis, ranges, frameSeconds);
  // Attention can glance back: keep word starts in reading order and ends after starts.
  let latest = 0;
  const words = ranges.map((r, i): WordTiming => {
    const [from, to] = times[i]!;
    latest = Math.max(latest, Number(from.toFixed(2)));
    const confidence = wordConfidence(hypothesis, r.first, r.last);
    return {
      word: text.slice(r.from, r.to),
      start: latest,
      end: Math.max(Number(Math.min(to, duration).toFixed(2)), latest),
      ...(confidence === undefined ? {} : { confidence }),
    };
  });
  return { words, segments: segmentsOf(words) };
}

/** Each word from its first token's most attended frame to one frame past its last token's. */
function attentionWordTimes(
  hypothesis: Hypothesis,
  words: readonly { first: number; last: number }[],
  frameSeconds: number,
): [number, number][] {
  const centre = (token: number) => {
    const row = hypothesis.weights[token];
    if (!row) return undefined;
    let best = 0;
    for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
    return best * frameSeconds;
  };
  return words.map(({ first, last }) => {
    const from = centre(first) ?? 0;
    return [from, (centre(last) ?? from) + frameSeconds];
  });
}

/** exp(mean log p) of tokens first..last (inclusive), 3 decimals; undefined without the log-probs. */
function wordConfidence(hypothesis: Hypothesis, first: number, last: number): number | undefined {
  const logProbs = hypothesis.tokenLogProbs?.slice(first, last + 1);
  if (!logProbs?.length) return undefined;
  const mean = logProbs.reduce((sum, x) => sum + x, 0) / logProbs.length;
  return Number(Math.exp(mean).toFixed(3));
}

/**
 * A segment (a subtitle cue) ends at a pause over 0.8 s, or before it would run over 7 s or 84
 * characters: two subtitle lines of 42, the common broadcast limit, so srt/vtt cues stay readable.
 */
export const SEGMENT_LIMITS = { pauseSeconds: 0.8, maxSeconds: 7, maxCharacters: 84 } as const;

/**
 * Words grouped into segments within SEGMENT_LIMITS; a segment's confidence is the mean of its
 * words' (when they have one): music or noise comes out as words too, and its segments score
 * low (see README).
 */
export function segmentsOf(words: readonly WordTiming[]): Segment[] {
  const groups: { words: WordTiming[]; text: string }[] = [];
  for (const word of words) {
    const group = groups.at(-1);
    const text = group ? `${group.text} ${word.word}` : word.word;
    const joins =
      group !== undefined &&
      word.start - group.words.at(-1)!.end < SEGMENT_LIMITS.pauseSeconds &&
      word.end - group.words[0]!.start <= SEGMENT_LIMITS.maxSeconds &&
      text.length <= SEGMENT_LIMITS.maxCharacters;
    if (joins) {
      group.words.push(word);
      group.text = text;
    } else groups.push({ words: [word], text: word.word });
  }
  return groups.map(({ words: said, text }) => {
    const confidences = said.flatMap((w) => (w.confidence === undefined ? [] : [w.confidence]));
    const confidence = confidences.length
      ? Number((confidences.reduce((a, b) => a + b, 0) / confidences.length).toFixed(3))
      : undefined;
    return {
      start: said[0]!.start,
      end: said.at(-1)!.end,
      text,
      ...(confidence === undefined ? {} : { confidence }),
    };
  });
}

/** Longer audio is transcribed in pieces of at most this long, cut at pauses. */
export const MAX_PIECE_SECONDS = 10;

/**
 * Pieces decoded as one padded batch (times the beam): enough rows that a step's kernels are
 * not all dispatch, few enough that an hour of audio does not hold every piece's beams at once.
 */
export const PIECES_PER_BATCH = 16;

/** One piece of one input: where it starts, and the best hypothesis for it. */
interface DecodedPiece {
  readonly start: number; // seconds into the file
  readonly duration: number;
  readonly hypothesis: Hypothesis;
}

/**
 * One transcript from a file's decoded pieces: texts joined, word times moved by each piece's
 * start, segments regrouped, and attention rows placed at the piece's frames of the whole file.
 */
function joinPieces(
  pieces: readonly DecodedPiece[],
  model: AsrModel,
  duration: number,
): Pick<Transcript, 'text' | 'words' | 'segments' | 'duration' | 'attention'> {
  const frameSeconds = secondsPerFrame(model);
  const words: WordTiming[] = [];
  for (const piece of pieces) {
    const tokens = piece.hypothesis.tokens;
    const timed = wordTimings(
      piece.hypothesis,
      model.tokenizer.pieces(tokens),
      frameSeconds,
      piece.duration,
    );
    for (const w of timed.words) {
      const shift = (t: number) => Number((t + piece.start).toFixed(2));
      words.push({ ...w, start: shift(w.start), end: shift(w.end) });
    }
  }
  // Each row stays as long as its piece (a row as long as the file would make an hour's
  // transcript tens of gigabytes), placed by the encoder frame the piece starts at.
  const frames = Math.ceil(duration / frameSeconds);
  const attention: AttentionRow[] = pieces.flatMap((piece) => {
    const start = Math.min(Math.round(piece.start / frameSeconds), frames);
    const valid = Math.min(Math.ceil(piece.duration / frameSeconds), frames - start);
    return piece.hypothesis.weights.map((row) => ({
      start,
      weights: row.subarray(0, Math.min(valid, row.length)),
    }));
  });
  return {
    text: pieces
      .map((p) => model.tokenizer.decode(p.hypothesis.tokens))
      .filter(Boolean)
      .join(' '),
    words,
    segments: segmentsOf(words),
    duration,
    attention,
  };
}

/** Decoded audio ready for the model: 16 kHz mono samples. */
export interface LoadedAudio {
  readonly file: string;
  readonly samples: Float32Array;
}

/** Decoding settings of a transcription: the beam, and the weights of what is fused into it. */
export type TranscribeOptions = Partial<DecodingOptions> & {
  /** Joint CTC/attention weight λ; the model's training weight by default. */
  readonly ctcWeight?: number;
  /** Language model weight β; lm.json's tuned weight by default, 0 turns it off. */
  readonly lmWeight?: number;
  /** Weight of the lexicon penalty (−1 per word not in the LM's training text); 0 turns it off. */
  readonly lexiconWeight?: number;
  /** Weight of the word n-gram (word-lm.json.gz, fused with look-ahead); decoding.json's, else 0. */
  readonly wordLmWeight?: number;
  /** Audio longer than this is transcribed in pieces cut at pauses (default MAX_PIECE_SECONDS). */
  readonly pieceSeconds?: number;
  /**
   * Where word times come from: 'ctc' (default: the CTC head's forced alignment of the
   * transcript, attention where that fails) or 'attention' (each token's most attended frame).
   */
  readonly wordTimes?: 'ctc' | 'attention';
  /** Called as pieces finish (long recordings are many pieces): for a progress bar. */
  readonly onPieces?: (done: number, total: number) => void;
  /**
   * Vocal-tract warp factors to decode each piece with (test-time VTLN, see warpFeatures); the
   * best-scoring hypothesis wins. Default [1]: no warping.
   */
  readonly warps?: readonly number[];
  /**
   * Test-time adaptation of the encoder to each piece before it is decoded (adaptToUtterance);
   * absent or 0 steps: none. Costs `steps` forward+backward passes of the encoder per piece.
   */
  readonly adapt?: AdaptationOptions;
  /** Words to bias beam search towards (HotwordScorer); they join the lexicon too. */
  readonly hotwords?: readonly string[];
  /** Bonus per character of a listed word (default DEFAULT_HOTWORD_BONUS). */
  readonly hotwordBonus?: number;
};

export type DecodingOptionsWithFusion = Omit<DecodingOptions, 'startToken' | 'endToken'> & {
  readonly ctcWeight: number;
  readonly lmWeight: number;
  readonly lexiconWeight: number;
  readonly wordLmWeight: number;
  readonly warps?: readonly number[];
  readonly adapt?: AdaptationOptions;
  readonly hotwords?: readonly string[];
  readonly hotwordBonus?: number;
};

/**
 * Hotword bonus per character, tuned on 100 dev utterances with their 22 out-of-lexicon words
 * listed among 220 others (1.5 and 2 tie; 1 and 2.5 are worse). See README's hotwords.
 */
export const DEFAULT_HOTWORD_BONUS = 1.5;

export interface AsrPipeline {
  readonly model: AsrModel;
  /** The n-gram LM fused into beam search, when the checkpoint (or --lm) has one. */
  readonly lm: NgramLm | undefined;
  /** The word n-gram fused with look-ahead, when the checkpoint has a word-lm.json.gz. */
  readonly wordLm: WordNgram | undefined;
  /**
   * The settings a call with `options` decodes with: what it sets, else the checkpoint's tuned
   * decoding.json, else the model's training CTC weight, lm.json's weight and the defaults.
   */
  decodingFor(options: TranscribeOptions): DecodingOptionsWithFusion;
  /** Decodes and resamples one file (errors name the file). */
  load(file: string): Promise<LoadedAudio>;
  /** The same for audio already in memory (an upload); errors name it `name`. */
  loadBytes(bytes: Uint8Array, name: string): Promise<LoadedAudio>;
  /** Transcribes decoded audio as one padded batch. */
  transcribeAudio(audio: readonly LoadedAudio[], options?: TranscribeOptions): Transcript[];
  transcribe(files: readonly string[], options?: TranscribeOptions): Promise<Transcript[]>;
  dispose(): void;
}

/**
 * Test-time vocal-tract length normalisation picks among a piece's decodes at several warps
 * (warpFeatures, as training's VTLP warps) the hypothesis the search itself ranks best (its
 * score, length penalty included). A held-out voice is often one the model recognises better
 * warped (asr-en, first 300 test utterances, shipped decoding: WER 38.7 → 35.0% with warps
 * 0.85-1.15 in steps of 0.05; by voice slt 57.7 → 49.4%, gbcwmd+f4 40.2 → 37.1%, rp 20.9 →
 * 20.9%). Compared on the same decodes, the score per token picked worse words: 35.8%.
 */
function bestScoring(hypotheses: readonly Hypothesis[]): Hypothesis {
  return hypotheses.reduce((best, h) => (h.score > best.score ? h : best));
}

/** The shipped speech recogniser, used when no checkpoint is named. */
export const DEFAULT_ASR_MODEL = projectPath('checkpoints', 'asr-en');

/**
 * Loads a checkpoint once; transcribes files in batches of similar length. `lm`: a language
 * model file, or 'none'; by default the checkpoint's own lm.json when it has one.
 */
export function createAsrPipeline(
  checkpoint: string = DEFAULT_ASR_MODEL,
  lmChoice?: string,
): AsrPipeline {
  if (!existsSync(checkpoint)) {
    const wip = checkpoint.replace(/asr-en\/?$/, 'asr-en-wip');
    throw new AttendError(
      wip !== checkpoint && existsSync(wip)
        ? `${checkpoint}: no speech model is shipped yet; ${wip} is the one in training (--model ${wip}), see checkpoints/README.md`
        : `${checkpoint}: no such model folder`,
    );
  }
  const model = AsrModel.load(checkpoint);
  const lm = resolveLm(checkpoint, lmChoice);
  const tuned = readTunedDecoding(checkpoint);
  const wordLm = resolveWordLm(checkpoint, lmChoice);
  const scorersFor = fusedScorers(model.tokenizer, lm, wordLm);
  const nyquist = model.config.features.sampleRate / 2;
  /**
   * The best hypothesis for each piece of 16 kHz audio: pieces at every warp factor decoded in
   * padded batches of PIECES_PER_BATCH, then per piece the warp whose hypothesis scores best.
   */
  const decodePieces = (
    pieces: Float32Array[],
    options: TranscribeOptions,
    onPieces?: (done: number, total: number) => void,
  ): Hypothesis[] => {
    const {
      lmWeight,
      lexiconWeight,
      wordLmWeight,
      warps = [1],
      adapt,
      hotwords = [],
      hotwordBonus = DEFAULT_HOTWORD_BONUS,
      ...decoding
    } = pipeline.decodingFor(options);
    const scorers = scorersFor({ lmWeight, lexiconWeight, wordLmWeight, hotwords, hotwordBonus });
    /** Every piece at every warp as one padded batch; per piece the best-scoring warp. */
    const decodeBatch = (features: readonly Features[]): Hypothesis[] => {
      const batch = padFeatures(
        features.flatMap((f) => warps.map((alpha) => warpFeatures(f, alpha, nyquist))),
      );
      try {
        const best = model
          .transcribeFeatures(batch.features, batch.lengths, { ...decoding, scorers })
          .map((list) => list[0]!);
        return features.map((_, i) =>
          bestScoring(best.slice(i * warps.length, (i + 1) * warps.length)),
        );
      } finally {
        batch.features.dispose();
      }
    };
    // Adapted weights belong to one piece: adapt, decode it alone, restore.
    const perBatch = adapt?.steps ? 1 : PIECES_PER_BATCH;
    const best: Hypothesis[] = [];
    onPieces?.(0, pieces.length);
    for (let first = 0; first < pieces.length; first += perBatch) {
      const features = pieces
        .slice(first, first + perBatch)
        .map((p) => asrFeatures(p, model.config.features));
      const restore = adapt?.steps ? adaptToUtterance(model, features[0]!, adapt) : undefined;
      try {
        best.push(...decodeBatch(features));
      } finally {
        restore?.();
      }
      onPieces?.(best.length, pieces.length);
    }
    return best;
  };
  const pipeline: AsrPipeline = {
    model,
    lm,
    wordLm,
    decodingFor: (options) => ({
      ...DEFAULT_DECODING,
      maxLength: Number.POSITIVE_INFINITY, // the model bounds it by the audio's length
      ...(tuned ? { beamSize: tuned.beamSize } : {}),
      ctcWeight: tuned?.ctcWeight ?? model.config.ctcWeight,
      lmWeight: tuned?.lmWeight ?? Number(lm?.info.weight ?? 0.3),
      lexiconWeight: tuned?.lexiconWeight ?? 0,
      wordLmWeight: tuned?.wordLmWeight ?? 0,
      ...(tuned?.warps ? { warps: tuned.warps } : {}),
      ...(tuned?.adapt ? { adapt: tuned.adapt } : {}),
      ...options,
    }),
    load: async (file) => ({ file, samples: await toMono16k(await decodeAudioFile(file)) }),
    loadBytes: async (bytes, name) => ({
      file: name,
      samples: await toMono16k(await decodeAudioBytes(bytes, name)),
    }),
    async transcribe(files, options = {}) {
      return pipeline.transcribeAudio(await Promise.all(files.map(pipeline.load)), options);
    },
    transcribeAudio(audio, options = {}) {
      if (audio.length === 0) return [];
      const {
        pieceSeconds = MAX_PIECE_SECONDS,
        onPieces,
        wordTimes = 'ctc',
        ...settings
      } = options;
      // Utterance-sized pieces (cut at pauses, at most pieceSeconds), long silences trimmed;
      // silent pieces have nothing to say and are never decoded.
      const spoken = audio.flatMap((a, input) =>
        speechRanges(a.samples, pieceSeconds).map((range) => ({
          input,
          start: range.start / 16000,
          samples: a.samples.subarray(range.start, range.end),
        })),
      );
      const hyps = spoken.length
        ? decodePieces(
            spoken.map((p) => p.samples),
            settings,
            onPieces,
          )
        : [];
      return audio.map((a, input) => {
        const decoded: DecodedPiece[] = spoken.flatMap((p, i) =>
          p.input === input
            ? [
                {
                  start: p.start,
                  duration: p.samples.length / 16000,
                  hypothesis:
                    wordTimes === 'attention' ? { ...hyps[i]!, tokenSpans: undefined } : hyps[i]!,
                },
              ]
            : [],
        );
        return {
          file: a.file,
          ...joinPieces(decoded, model, a.samples.length / 16000),
          model: checkpoint,
          backend: tf.getBackend(),
        };
      });
    },
    dispose: () => model.dispose(),
  };
  return pipeline;
}
