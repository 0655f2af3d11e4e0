import { Endpointer } from '../src/audio/endpointer.js';
import { PcmStreamDecoder, type RawPcm } from '../src/audio/pcm-stream.js';
import { resample, TARGET_RATE } from '../src/audio/resample.js';
import { AttendError } from '../src/errors.js';
import type { PunctuationModel } from '../src/models/punctuation.js';
import type { WordTiming } from '../src/output/transcript.js';
import { writeWords } from './punctuate.js';
import type { AsrPipeline, TranscribeOptions } from './transcribe.js';

/** One utterance of a live stream, its times counted from the start of the stream. */
export interface LiveUtterance {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly words: WordTiming[];
  /** An interim transcript of the utterance still in progress (ListenOptions.partialSeconds). */
  readonly partial?: true;
}

export interface ListenOptions {
  /** What errors call the stream (`standard input`, a file name). */
  readonly name: string;
  /** Headerless 16-bit PCM at this rate; absent: a WAV stream. */
  readonly raw?: RawPcm;
  /** A pause this long ends an utterance (seconds; default 0.5). */
  readonly pauseSeconds?: number;
  /** Longest utterance before a cut at its quietest moment (seconds; default 10). */
  readonly maxSeconds?: number;
  readonly decoding?: TranscribeOptions;
  /** Writes each utterance as sentences (punctuation, capitals). */
  readonly punctuation?: PunctuationModel;
  /**
   * Also yield an interim transcript of the utterance in progress every this many seconds of
   * stream (live captions that grow as someone speaks); absent: only finished utterances.
   */
  readonly partialSeconds?: number;
}

const round = (seconds: number) => Number(seconds.toFixed(2));

/**
 * Transcribes audio as it arrives (a pipe from a recorder, a socket): decodes each chunk
 * (PcmStreamDecoder), cuts utterances at pauses (Endpointer), and yields each utterance's
 * transcript as soon as it is decoded, while the rest of the stream is still coming. Utterances
 * with nothing recognised in them are not yielded.
 */
export async function* transcribeStream(
  pipeline: AsrPipeline,
  chunks: AsyncIterable<Uint8Array>,
  options: ListenOptions,
): AsyncGenerator<LiveUtterance> {
  const decoder = new PcmStreamDecoder(options.name, options.raw);
  let endpointer: Endpointer | undefined;
  /** Stream time of the last finished or interim transcript (ListenOptions.partialSeconds). */
  let lastShown = 0;
  const transcribe = async (
    utterance: { start: number; samples: Float32Array },
    partial = false,
  ): Promise<LiveUtterance | undefined> => {
    const rate = decoder.sampleRate!;
    const samples = await resample(utterance.samples, rate, TARGET_RATE);
    const [transcript] = pipeline.transcribeAudio(
      [{ file: options.name, samples }],
      options.decoding,
    );
    if (!transcript?.text) return undefined;
    const shift = (s: number) => round(s + utterance.start);
    const words = transcript.words.map((w) => ({ ...w, start: shift(w.start), end: shift(w.end) }));
    const forms = options.punctuation
      ? writeWords(options.punctuation, [
          { words: words.map((w) => w.word), endsSentence: !partial },
        ])[0]!
      : undefined;
    // An interim transcript stops mid-sentence: no mark after its last word yet.
    if (forms && partial) forms[forms.length - 1] = forms.at(-1)!.replace(/[,.?]$/, '');
    const text = forms ? forms.join(' ') : transcript.text;
    const shown = forms ? words.map((w, i) => ({ ...w, written: forms[i]! })) : words;
    return {
      start: words[0]?.start ?? round(utterance.start),
      end: words.at(-1)?.end ?? round(utterance.start + samples.length / TARGET_RATE),
      text,
      words: shown,
      ...(partial ? { partial: true as const } : {}),
    };
  };
  for await (const chunk of chunks) {
    const samples = decoder.push(chunk);
    if (decoder.sampleRate === undefined) continue;
    endpointer ??= new Endpointer({
      sampleRate: decoder.sampleRate,
      pauseSeconds: options.pauseSeconds ?? 0.5,
      maxSeconds: options.maxSeconds ?? 10,
    });
    const finished = endpointer.push(samples);
    for (const utterance of finished) {
      const heard = await transcribe(utterance);
      if (heard) yield heard;
    }
    const now = endpointer.streamSeconds;
    if (finished.length) lastShown = now;
    // The utterance so far is copied out only when an interim transcript is due.
    if (options.partialSeconds && now - lastShown >= options.partialSeconds) {
      const inProgress = endpointer.inProgress();
      if (inProgress) {
        lastShown = now;
        const heard = await transcribe(inProgress, true);
        if (heard) yield heard;
      }
    }
  }
  if (!endpointer) {
    if (options.raw) return; // nothing came
    throw new AttendError(`${options.name}: the stream ended before its WAV header did`);
  }
  for (const utterance of endpointer.flush()) {
    const heard = await transcribe(utterance);
    if (heard) yield heard;
  }
}
