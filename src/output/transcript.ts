/** What transcription returns per file; the output writers format it. */
export interface WordTiming {
  readonly word: string;
  readonly start: number; // seconds
  readonly end: number;
  /** 0-1: the geometric mean of the probabilities the decoder gave the word's tokens. */
  readonly confidence?: number;
  /** How the word is written in punctuated text (--punctuate): "Today," for "today". */
  readonly written?: string;
}

export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** 0-1: the mean of its words' confidences, when they have them. */
  readonly confidence?: number;
}

/**
 * One emitted token's attention: its weights over the encoder frames of the piece it was decoded
 * in, the first at encoder frame `start` of the file (0.04 s a frame for asr-en).
 */
export interface AttentionRow {
  readonly start: number;
  readonly weights: Float32Array;
}

export interface Transcript {
  readonly file: string;
  readonly text: string;
  readonly words: WordTiming[];
  readonly segments: Segment[];
  readonly duration: number;
  /** Decoder-step × encoder-frame attention of the chosen hypothesis, a row per token. */
  readonly attention: AttentionRow[];
  readonly model: string;
  readonly backend: string;
}
