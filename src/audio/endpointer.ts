import { splitAtPauses } from './segment.js';

/** One stretch of speech cut from a stream, at the stream's rate. */
export interface StreamUtterance {
  /** Seconds from the start of the stream to the first sample. */
  readonly start: number;
  readonly samples: Float32Array;
}

export interface EndpointerOptions {
  readonly sampleRate: number;
  /** A pause this long after speech ends the utterance (seconds). */
  readonly pauseSeconds: number;
  /** Speech running this long without such a pause is cut at its quietest moment (seconds). */
  readonly maxSeconds: number;
}

const FRAME_SECONDS = 0.01;
/**
 * Quiet: 35 dB under the loud frames (their 95th percentile so far), as a whole file is judged
 * (splitIntoUtterances); or within 10 dB of the noise floor (the 10th percentile), so that a
 * microphone's hiss is not speech however rarely anyone speaks; or under -60 dBFS.
 */
const BELOW_LOUD_DB = 35;
const ABOVE_FLOOR_DB = 10;
const FLOOR_DB = -60;
/** Less than this much sound (a click, a breath) is not speech. */
const MIN_SPEECH_SECONDS = 0.1;
/** Quiet kept after an utterance: the tail training utterances have. */
const MARGIN_SECONDS = 0.25;
/**
 * Quiet kept before speech starts: generous, because at the start of a stream the levels heard
 * are too few to tell a soft onset from quiet (transcription trims what is silent).
 */
const LEAD_IN_SECONDS = 1;

/**
 * Cuts a live stream into utterances as it arrives: an utterance ends once `pauseSeconds` of
 * quiet follow speech (the model then decodes it while the speaker goes on), or at its quietest
 * moment once it runs to `maxSeconds`. Quiet is judged against the levels heard so far (a 1 dB
 * histogram of every 10 ms frame). Silence between
 * utterances is dropped as it arrives, so memory stays bounded however long the stream runs.
 */
export class Endpointer {
  private readonly hop: number;
  private buffer = new Float32Array(0);
  /** Stream position (in samples) of buffer[0]. */
  private offset = 0;
  /** Level (dB) of each complete 10 ms frame of the buffer. */
  private levels: number[] = [];
  private readonly histogram = new Uint32Array(121); // -120 .. 0 dB
  private heard = 0;

  constructor(private readonly options: EndpointerOptions) {
    this.hop = Math.max(1, Math.round(options.sampleRate * FRAME_SECONDS));
  }

  /** Seconds of audio held (an utterance in progress, or the lead-in kept before one). */
  get bufferedSeconds(): number {
    return this.buffer.length / this.options.sampleRate;
  }

  /** Seconds of stream pushed so far. */
  get streamSeconds(): number {
    return (this.offset + this.buffer.length) / this.options.sampleRate;
  }

  /** Adds samples; returns the utterances they completed. */
  push(samples: Float32Array): StreamUtterance[] {
    const joined = new Float32Array(this.buffer.length + samples.length);
    joined.set(this.buffer);
    joined.set(samples, this.buffer.length);
    this.buffer = joined;
    for (let f = this.levels.length; (f + 1) * this.hop <= this.buffer.length; f++) {
      let sum = 0;
      for (let i = f * this.hop; i < (f + 1) * this.hop; i++) sum += this.buffer[i]! ** 2;
      const level = 10 * Math.log10(sum / this.hop + 1e-12);
      this.levels.push(level);
      this.histogram[Math.min(120, Math.max(0, Math.round(level + 120)))]!++;
      this.heard++;
    }
    return this.cut();
  }

  /** The utterance in progress, as far as it has come (for interim transcripts), if speech has begun. */
  inProgress(): StreamUtterance | undefined {
    const quiet = this.quietLevel();
    const speech = this.levels.filter((l) => l >= quiet).length;
    return speech >= this.frames(MIN_SPEECH_SECONDS)
      ? this.utterance(this.offset, this.buffer.slice())
      : undefined;
  }

  /** The end of the stream: what is left, if it holds speech. */
  flush(): StreamUtterance[] {
    const rest = this.inProgress();
    this.drop(this.buffer.length);
    return rest ? [rest] : [];
  }

  /**
   * Cuts every utterance the buffer completes, earliest first: a chunk may hold several (a file
   * read 64 KiB at a time, a pipe that filled while the model was busy), so pauses are looked for
   * from the start of the buffer, not only at its end.
   */
  private cut(): StreamUtterance[] {
    const out: StreamUtterance[] = [];
    const minSpeech = this.frames(MIN_SPEECH_SECONDS);
    const pause = this.frames(this.options.pauseSeconds);
    const limit = this.frames(this.options.maxSeconds);
    for (;;) {
      const quiet = this.quietLevel();
      const first = this.levels.findIndex((level) => level >= quiet);
      const lead = this.frames(LEAD_IN_SECONDS);
      if (first < 0 || this.levels.filter((level) => level >= quiet).length < minSpeech) {
        // Nothing said yet: keep only a lead-in's worth of the quiet.
        this.drop(Math.max(0, this.levels.length - lead) * this.hop);
        return out;
      }
      if (first > lead) {
        this.drop((first - lead) * this.hop);
        continue;
      }
      // The first pause after enough speech, within the longest an utterance may run.
      let speech = 0;
      let lastSpeech = -1;
      let end: number | undefined;
      const scan = Math.min(this.levels.length, limit + 1);
      for (let f = 0; f < scan && end === undefined; f++) {
        if (this.levels[f]! >= quiet) {
          speech++;
          lastSpeech = f;
        } else if (speech >= minSpeech && f - lastSpeech >= pause)
          end = (lastSpeech + 1 + Math.min(f - lastSpeech, this.frames(MARGIN_SECONDS))) * this.hop;
      }
      if (end === undefined) {
        if (this.levels.length <= limit) return out;
        // Just over the maximum, so that splitAtPauses cuts in its second half.
        const whole = this.buffer.subarray(0, (limit + 1) * this.hop);
        const [head] = splitAtPauses(whole, this.options.maxSeconds, this.options.sampleRate);
        end = Math.max(this.hop, Math.floor(head!.end / this.hop) * this.hop);
      }
      out.push(this.utterance(this.offset, this.buffer.slice(0, end)));
      this.drop(end);
    }
  }

  private utterance(start: number, samples: Float32Array): StreamUtterance {
    return { start: start / this.options.sampleRate, samples };
  }

  /** Forgets the first `samples` samples (a whole number of frames). */
  private drop(samples: number): void {
    this.buffer = this.buffer.slice(samples);
    this.levels = this.levels.slice(Math.floor(samples / this.hop));
    this.offset += samples;
  }

  private frames(seconds: number): number {
    return Math.max(1, Math.round(seconds / FRAME_SECONDS));
  }

  /** Level (dB) at the given fraction of every frame heard so far. */
  private percentile(fraction: number): number {
    const target = this.heard * fraction;
    let count = 0;
    let bin = 0;
    for (; bin < this.histogram.length - 1; bin++) {
      count += this.histogram[bin]!;
      if (count >= target) break;
    }
    return bin - 120;
  }

  private quietLevel(): number {
    return Math.max(
      this.percentile(0.95) - BELOW_LOUD_DB,
      this.percentile(0.1) + ABOVE_FLOOR_DB,
      FLOOR_DB,
    );
  }
}
