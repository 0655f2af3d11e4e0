import { describe, expect, it } from 'vitest';
import {
  SEGMENT_LIMITS,
  segmentsOf,
  type Transcript,
  wordTimings,
} from '../../pipelines/transcribe.js';
import { WRITERS } from '../../src/output/writers.js';
import type { Hypothesis } from '../../src/search/index.js';

/** A hypothesis whose step i attends only to encoder frame frames[i]. */
function hypothesis(frames: number[], length = 40): Hypothesis {
  return {
    tokens: [],
    logProb: 0,
    score: 0,
    finished: true,
    weights: frames.map((f) => Float32Array.from({ length }, (_, i) => (i === f ? 1 : 0))),
  };
}

describe('timestamps from attention', () => {
  it('places each word at the frames its characters attended to, and splits segments at pauses', () => {
    // "hi yo": h i _ y o, attended at frames 1 2 3 30 31 (0.04 s a frame)
    const { words, segments } = wordTimings(hypothesis([1, 2, 3, 30, 31, 32]), 'hi yo', 0.04, 2);
    expect(words).toEqual([
      { word: 'hi', start: 0.04, end: 0.12 },
      { word: 'yo', start: 1.2, end: 1.28 },
    ]);
    expect(segments.map((s) => s.text)).toEqual(['hi', 'yo']);
    const close = wordTimings(hypothesis([1, 2, 3, 5, 6, 7]), 'hi yo', 0.04, 2);
    expect(close.segments).toEqual([{ start: 0.04, end: 0.28, text: 'hi yo' }]);
  });

  it('keeps word starts in reading order when attention glances back', () => {
    // "ab cd ef": "cd" attended before "ab"; it starts where "ab" started, never earlier.
    const { words, segments } = wordTimings(
      hypothesis([10, 11, 12, 4, 5, 13, 20, 21]),
      'ab cd ef',
      0.04,
      2,
    );
    expect(words.map((w) => w.start)).toEqual([0.4, 0.4, 0.8]);
    for (const w of words) expect(w.end).toBeGreaterThanOrEqual(w.start);
    for (const s of segments) expect(s.end).toBeGreaterThanOrEqual(s.start);
  });
});

describe('timestamps from CTC', () => {
  it("uses the CTC spans of a word's first and last tokens over attention's", () => {
    // "hi yo": CTC emits h i at frames 5, 7-8 and y o at 30, 33; attention says otherwise.
    const spans = [
      [5, 6],
      [7, 9],
      [10, 11],
      [30, 31],
      [33, 34],
    ].map(([start, end]) => ({ start: start!, end: end!, logProb: -0.1 }));
    const { words } = wordTimings(
      { ...hypothesis([1, 2, 3, 4, 5, 6]), tokenSpans: spans },
      'hi yo',
      0.04,
      2,
    );
    expect(words).toEqual([
      { word: 'hi', start: 0.2, end: 0.38 }, // 5 × 0.04, 9 × 0.04 + 0.02 (a pause follows)
      { word: 'yo', start: 1.2, end: 1.38 },
    ]);
    // Ends stay inside the audio, starts at or after 0.
    const edge = wordTimings(
      {
        ...hypothesis([0, 1]),
        tokenSpans: spans.slice(0, 2).map((s, i) => ({ ...s, start: i, end: 50 })),
      },
      'hi',
      0.04,
      1.5,
    );
    expect(edge.words).toEqual([{ word: 'hi', start: 0, end: 1.5 }]);
  });
});

describe('segments', () => {
  /** Words of `letters` characters each, one every `every` seconds, each lasting 0.3 s. */
  const steadyWords = (count: number, every: number, letters = 4) =>
    Array.from({ length: count }, (_, i) => ({
      word: String.fromCharCode(97 + (i % 26)).repeat(letters),
      start: i * every,
      end: i * every + 0.3,
    }));

  it('a long stretch of speech without pauses becomes cues of at most 7 s', () => {
    const segments = segmentsOf(steadyWords(40, 0.5, 2)); // 20 s of talk, no pause
    expect(segments.length).toBeGreaterThan(2);
    for (const s of segments)
      expect(s.end - s.start).toBeLessThanOrEqual(SEGMENT_LIMITS.maxSeconds);
    expect(segments.map((s) => s.text).join(' ')).toBe(
      steadyWords(40, 0.5, 2)
        .map((w) => w.word)
        .join(' '),
    );
  });

  it("carries the mean of its words' confidences", () => {
    const words = steadyWords(4, 0.5).map((w, i) => ({
      ...w,
      confidence: [0.9, 0.7, 0.2, 0.4][i]!,
    }));
    words[2] = { ...words[2]!, start: 3, end: 3.3 }; // a pause before the third word
    words[3] = { ...words[3]!, start: 3.5, end: 3.8 };
    expect(segmentsOf(words).map((s) => [s.text, s.confidence])).toEqual([
      ['aaaa bbbb', 0.8],
      ['cccc dddd', 0.3],
    ]);
  });

  it('fast speech becomes cues of at most 84 characters', () => {
    const segments = segmentsOf(steadyWords(30, 0.35, 9)); // 10 s, 299 characters
    for (const s of segments) expect(s.text.length).toBeLessThanOrEqual(84);
    expect(segments.length).toBe(4);
  });
});

describe('output writers', () => {
  const transcript: Transcript = {
    file: 'a.wav',
    text: 'hello world',
    words: [],
    segments: [{ start: 0.5, end: 1.25, text: 'hello world' }],
    duration: 2,
    attention: [],
    model: 'checkpoints/asr-en',
    backend: 'native',
  };
  it('txt, json, srt and vtt', () => {
    expect(WRITERS.txt.format([transcript])).toBe('hello world');
    expect(JSON.parse(WRITERS.json.format([transcript]))).toMatchObject({
      file: 'a.wav',
      text: 'hello world',
      segments: transcript.segments,
      model: 'checkpoints/asr-en',
      backend: 'native',
    });
    expect(WRITERS.srt.format([transcript])).toBe(
      '1\n00:00:00,500 --> 00:00:01,250\nhello world\n',
    );
    expect(WRITERS.vtt.format([transcript])).toBe(
      'WEBVTT\n\n00:00:00.500 --> 00:00:01.250\nhello world\n',
    );
  });

  it('tsv: a word per row with its times and confidence, several files in one table', () => {
    const words = [
      { word: 'hello', start: 0.5, end: 0.8, confidence: 0.91 },
      { word: 'world', start: 0.9, end: 1.25 },
    ];
    const other = { ...transcript, file: 'odd\tname.wav', words: [words[0]!] };
    expect(WRITERS.tsv.format([{ ...transcript, words }, other])).toBe(
      [
        'file\tstart\tend\tword\tconfidence',
        'a.wav\t0.5\t0.8\thello\t0.91',
        'a.wav\t0.9\t1.25\tworld\t',
        'odd name.wav\t0.5\t0.8\thello\t0.91',
      ].join('\n'),
    );
  });
});
