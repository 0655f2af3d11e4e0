import type { TimedItem } from '../../datasets/speech/word-times.js';
import { matchedWords } from '../../src/metrics/alignment.js';
import { splitWords } from '../../src/metrics/edit-distance.js';
import { type TimeSpan, type TimingScores, timingScores } from '../../src/metrics/word-times.js';
import type { WordTiming } from '../../src/output/transcript.js';
import { alignAudio } from '../align.js';
import type { AsrPipeline, TranscribeOptions } from '../transcribe.js';

/** Word-time accuracy of the three ways attend times words, on one timed corpus. */
export interface TimingReport {
  readonly utterances: number;
  /** `attend align`: the known text forced through the recording (every word scored). */
  readonly forced: TimingScores;
  /** `attend transcribe`'s word times (CTC), on the words it got right. */
  readonly transcribed: TimingScores;
  /** The same transcripts timed by attention instead (the same right words). */
  readonly transcribedByAttention: TimingScores;
}

type Pair = readonly [TimeSpan, TimeSpan];

/** Pairs of true and predicted times of the reference words a transcript matched exactly. */
function matchedPairs(
  truth: readonly TimeSpan[],
  reference: string,
  predicted: readonly WordTiming[],
): Pair[] {
  const refWords = splitWords(reference);
  return matchedWords(
    refWords,
    predicted.map((w) => w.word),
  ).map(([r, h]) => [truth[r]!, predicted[h]!] as const);
}

/**
 * Scores word times against a synthesiser's true ones (`attend dataset timings`): forced
 * alignment of the reference text, and transcription's times from CTC and from attention.
 */
export async function evaluateTimings(
  pipeline: AsrPipeline,
  items: readonly TimedItem[],
  options: TranscribeOptions & { onItem?: () => void } = {},
): Promise<TimingReport> {
  const { onItem, ...decoding } = options;
  const forced: Pair[] = [];
  const transcribed: Pair[] = [];
  const attention: Pair[] = [];
  for (const item of items) {
    const audio = await pipeline.load(item.audio);
    const aligned = alignAudio(pipeline.model, audio, item.text, '');
    forced.push(...aligned.words.map((w, i): Pair => [item.words[i]!, w]));
    const [transcript] = pipeline.transcribeAudio([audio], decoding);
    transcribed.push(...matchedPairs(item.words, item.text, transcript!.words));
    const [byAttention] = pipeline.transcribeAudio([audio], {
      ...decoding,
      wordTimes: 'attention',
    });
    attention.push(...matchedPairs(item.words, item.text, byAttention!.words));
    onItem?.();
  }
  return {
    utterances: items.length,
    forced: timingScores(forced),
    transcribed: timingScores(transcribed),
    transcribedByAttention: timingScores(attention),
  };
}
