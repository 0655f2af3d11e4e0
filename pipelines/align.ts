import { speechRanges } from '../src/audio/segment.js';
import { AttendError } from '../src/errors.js';
import type { AsrModel } from '../src/models/asr.js';
import { asrFeatures, padFeatures } from '../src/models/asr.js';
import type { Transcript, WordTiming } from '../src/output/transcript.js';
import { tf } from '../src/runtime/tf.js';
import { ctcForcedAlign, type TokenSpan } from '../src/search/ctc-align.js';
import { ctcWordTimes } from '../src/search/ctc-word-times.js';
import { UNK } from '../src/text/characters.js';
import { spellNumbers } from '../src/text/numbers.js';
import { type SpeechTokenizer, wordSpaceToken } from '../src/text/tokenizer.js';
import {
  type LoadedAudio,
  MAX_PIECE_SECONDS,
  PIECES_PER_BATCH,
  secondsPerFrame,
  segmentsOf,
} from './transcribe.js';

/** A text prepared for alignment: its token ids and, per written word, which tokens say it. */
export interface AlignmentTargets {
  readonly words: readonly string[];
  readonly tokens: number[];
  /** Per written word [first, last] token index, or undefined when nothing of it is spoken. */
  readonly spans: ([number, number] | undefined)[];
}

/**
 * How a written word is said, in the model's symbols: lower case, accents dropped, digits read
 * out ("42" → "forty two"), punctuation a word break ("e-mail" → "e mail"), symbols the model
 * does not know left out. "—" or "&" say nothing.
 */
export function spokenForm(word: string, tokenizer: SpeechTokenizer): string {
  const sayable = (ch: string) => !tokenizer.encode(ch).includes(UNK);
  return spellNumbers(word.normalize('NFKD').replace(/\p{M}+/gu, ''))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, '$1')
    .split(/\s+/)
    .map((part) => [...part].filter(sayable).join(''))
    .filter(Boolean)
    .join(' ');
}

/** The tokens a written text is said with: its words' spoken forms, a space token between. */
export function alignmentTargets(text: string, tokenizer: SpeechTokenizer): AlignmentTargets {
  const words = text.split(/\s+/).filter(Boolean);
  const tokens: number[] = [];
  const space = tokenizer.encode(' ');
  const spans = words.map((word): [number, number] | undefined => {
    const spoken = spokenForm(word, tokenizer);
    if (!spoken) return undefined;
    if (tokens.length) tokens.push(...space);
    const first = tokens.length;
    tokens.push(...tokenizer.encode(spoken));
    return [first, tokens.length - 1];
  });
  return { words, tokens, spans };
}

/**
 * Word times from token spans (ctcWordTimes, as transcription's are); a word's confidence is
 * exp of the mean per-frame log-probability of its tokens. A word with no tokens sits,
 * zero-length, where the word before it ended.
 */
export function timedWords(
  targets: AlignmentTargets,
  spans: readonly TokenSpan[],
  frameSeconds: number,
): WordTiming[] {
  const said = targets.spans.flatMap((range) =>
    range ? [spans.slice(range[0], range[1] + 1)] : [],
  );
  const times = ctcWordTimes(
    said.map((tokens) => ({ first: tokens[0]!, last: tokens.at(-1)! })),
    frameSeconds,
  );
  let previousEnd = 0;
  let next = 0;
  return targets.words.map((word, w) => {
    if (!targets.spans[w]) return { word, start: previousEnd, end: previousEnd };
    const tokens = said[next]!;
    const [start, end] = times[next++]!;
    const frames = tokens.reduce((n, s) => n + (s.end - s.start), 0);
    const logProb = tokens.reduce((sum, s) => sum + s.logProb, 0);
    previousEnd = Number(end.toFixed(2));
    return {
      word,
      start: Number(start.toFixed(2)),
      end: previousEnd,
      confidence: Number(Math.exp(logProb / frames).toFixed(3)),
    };
  });
}

/**
 * One [frames × vocab] CTC output for a whole recording: its speech pieces (cut at pauses as
 * transcription cuts them, at most MAX_PIECE_SECONDS) encoded in batches and placed at their
 * frames; the silence between them is certain blank.
 */
export function recordingLogProbs(
  model: AsrModel,
  samples: Float32Array,
  onPieces?: (done: number, total: number) => void,
): Float32Array {
  const frameSeconds = secondsPerFrame(model);
  const vocab = model.tokenizer.size;
  const frames = Math.ceil(samples.length / 16000 / frameSeconds);
  const timeline = new Float32Array(frames * vocab).fill(-1e4);
  for (let t = 0; t < frames; t++) timeline[t * vocab] = 0; // blank
  const pieces = speechRanges(samples, MAX_PIECE_SECONDS);
  onPieces?.(0, pieces.length);
  for (let first = 0; first < pieces.length; first += PIECES_PER_BATCH) {
    const batch = pieces.slice(first, first + PIECES_PER_BATCH);
    const padded = padFeatures(
      batch.map((r) => asrFeatures(samples.subarray(r.start, r.end), model.config.features)),
    );
    try {
      model.ctcLogProbsOf(padded.features, padded.lengths).forEach((lp, i) => {
        const offset = Math.round(batch[i]!.start / 16000 / frameSeconds);
        timeline.set(lp.subarray(0, Math.max(0, (frames - offset) * vocab)), offset * vocab);
      });
    } finally {
      padded.features.dispose();
    }
    onPieces?.(Math.min(first + PIECES_PER_BATCH, pieces.length), pieces.length);
  }
  return timeline;
}

/**
 * A recording may say more than its text, before or after it (an intro, half a script): such
 * audio costs 1 nat a frame over what the model hears there. Measured on 90 festival
 * utterances (`attend dataset timings`): aligning only the first or second half of each text,
 * mean boundary error 239 / 330 ms forced without it, 32 / 30 ms with it; whole texts 28 ms
 * either way, and on 120 test utterances of the held-out voices no word of a whole text moved.
 */
export const UNTRANSCRIBED_PENALTY = 1;

/**
 * Speech between two words of the text that the text leaves out (an ad-lib, a line off the
 * script) costs this much a frame. Measured on 45 recordings of three timing-set utterances
 * back to back aligned with the first and third texts only: mean boundary error 369 / 386 ms
 * without it (the words around the gap stretch over it), 75 / 76 ms with it; a cheaper gap lets
 * the words wander (at 1 nat, aligning half of each text: 178 / 183 ms against 28 / 32 ms);
 * whole texts unchanged (25 / 25 ms).
 */
export const INTERRUPTION_PENALTY = 2.5;

/**
 * Forced alignment: where each word of a known text is said in a recording (CTC Viterbi over
 * the whole recording). The transcript keeps the text as written ("Hello," stays "Hello,").
 */
export function alignAudio(
  model: AsrModel,
  audio: LoadedAudio,
  text: string,
  modelName: string,
  onPieces?: (done: number, total: number) => void,
): Transcript {
  const targets = alignmentTargets(text, model.tokenizer);
  const duration = audio.samples.length / 16000;
  if (targets.words.length === 0)
    throw new AttendError(`${audio.file}: the text to align is empty`);
  if (targets.tokens.length === 0)
    throw new AttendError(`${audio.file}: nothing in the text is something the model can say`);
  const logProbs = recordingLogProbs(model, audio.samples, onPieces);
  let spans: TokenSpan[];
  try {
    spans = ctcForcedAlign(logProbs, model.tokenizer.size, targets.tokens, {
      untranscribedPenalty: UNTRANSCRIBED_PENALTY,
      optionalToken: wordSpaceToken(model.tokenizer),
      interruptionPenalty: INTERRUPTION_PENALTY,
    }).tokens;
  } catch (error) {
    if (error instanceof AttendError) throw new AttendError(`${audio.file}: ${error.message}`);
    throw error;
  }
  const words = timedWords(targets, spans, secondsPerFrame(model)).map((w) => ({
    ...w,
    end: Math.min(w.end, Number(duration.toFixed(2))),
  }));
  return {
    file: audio.file,
    text: targets.words.join(' '),
    words,
    segments: segmentsOf(words),
    duration,
    attention: [],
    model: modelName,
    backend: tf.getBackend(),
  };
}
