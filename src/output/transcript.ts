/** What transcription returns per file; the output writers format it. */
export interface WordTiming {
  readonly word: string;
  readonly start: number; // seconds
  readonly end: number;
}

export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface Transcript {
  readonly file: string;
  readonly text: string;
  readonly words: WordTiming[];
  readonly segments: Segment[];
  readonly duration: number;
  /** Decoder-step × encoder-frame attention of the chosen hypothesis. */
  readonly attention: Float32Array[];
  readonly model: string;
  readonly backend: string;
}
