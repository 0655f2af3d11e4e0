import { existsSync } from 'node:fs';
import { AttendError } from '../src/errors.js';
import { PunctuationModel } from '../src/models/punctuation.js';
import type { Segment, Transcript } from '../src/output/transcript.js';
import { projectPath } from '../src/paths.js';
import { SEGMENT_LIMITS } from './transcribe.js';

/** The shipped punctuation and casing model (`--punctuate`). */
export const DEFAULT_PUNCTUATION_MODEL = projectPath('checkpoints', 'punct-en');

/** Words per pass: the model learned on passages of up to 40 words. */
const WINDOW_WORDS = 40;

/** Loads a punctuation checkpoint, with a clear error when there is none. */
export function loadPunctuation(dir: string = DEFAULT_PUNCTUATION_MODEL): PunctuationModel {
  if (!existsSync(dir)) throw new AttendError(`${dir}: no such punctuation model folder`);
  return PunctuationModel.load(dir);
}

/** Consecutive recognised words, and whether a pause (or the end) follows them. */
export interface WordRun {
  readonly words: readonly string[];
  readonly endsSentence: boolean;
}

/**
 * Lower-case words as written text: marks and casing from the model, run by run. Runs are read
 * together up to a pause (the text model cannot hear one; a pause of a segment break ends a
 * sentence) and WINDOW_WORDS words (the passages it learned on were no longer).
 */
export function writeWords(model: PunctuationModel, runs: readonly WordRun[]): string[][] {
  const windows: { runs: number[]; final: boolean }[] = [];
  let current: number[] = [];
  let size = 0;
  const close = (final: boolean) => {
    if (current.length) windows.push({ runs: current, final });
    current = [];
    size = 0;
  };
  runs.forEach((run, r) => {
    if (size > 0 && size + run.words.length > WINDOW_WORDS) close(false);
    current.push(r);
    size += run.words.length;
    if (run.endsSentence) close(true);
  });
  // What is left ends the text, unless its last run says it goes on (an interim transcript).
  close(runs.at(-1)?.endsSentence ?? true);
  const passages = windows.map((w) => w.runs.flatMap((r) => runs[r]!.words));
  const decisions = model.decide(passages);
  const written: string[][] = [];
  windows.forEach((w, i) => {
    const words = model.write(passages[i]!, decisions[i]!, w.final);
    let at = 0;
    for (const r of w.runs) {
      written[r] = words.slice(at, at + runs[r]!.words.length);
      at += runs[r]!.words.length;
    }
  });
  return written;
}

/**
 * A transcript with its text and segments punctuated and cased; each word keeps the recogniser's
 * form and gains its `written` one (for captions drawn word by word); a
 * segment followed by a pause of SEGMENT_LIMITS.pauseSeconds or more ends a sentence.
 */
export function punctuateTranscript(model: PunctuationModel, transcript: Transcript): Transcript {
  const runs = transcript.segments.map((s, i, all) => ({
    words: s.text.split(' ').filter(Boolean),
    endsSentence: i === all.length - 1 || all[i + 1]!.start - s.end >= SEGMENT_LIMITS.pauseSeconds,
  }));
  const written = writeWords(model, runs);
  const segments: Segment[] = transcript.segments.map((s, i) => ({
    ...s,
    text: written[i]!.join(' '),
  }));
  // Segments are the words in order, so the written forms line up with them one for one.
  const forms = written.flat();
  const words =
    forms.length === transcript.words.length
      ? transcript.words.map((w, i) => ({ ...w, written: forms[i]! }))
      : transcript.words;
  return { ...transcript, text: segments.map((s) => s.text).join(' '), segments, words };
}
