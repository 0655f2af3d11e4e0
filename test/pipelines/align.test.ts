import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimedCorpus, readTimedManifest } from '../../datasets/speech/word-times.js';
import { alignAudio, alignmentTargets, spokenForm } from '../../pipelines/align.js';
import { type AsrPipeline, createAsrPipeline } from '../../pipelines/transcribe.js';
import { AttendError } from '../../src/errors.js';
import { matchedWords } from '../../src/metrics/alignment.js';
import { timingScores } from '../../src/metrics/word-times.js';
import { projectPath } from '../../src/paths.js';
import { CharacterTokenizer } from '../../src/text/characters.js';
import { attend } from '../helpers/cli.js';
import { ready } from '../helpers/runtime.js';

const tokenizer = CharacterTokenizer.english();

describe('alignment targets', () => {
  it('say written words as the model spells them; words with nothing to say get no tokens', () => {
    expect(spokenForm('Café,', tokenizer)).toBe('cafe');
    expect(spokenForm('42nd', tokenizer)).toBe('forty second');
    expect(spokenForm('e-mail', tokenizer)).toBe('e mail');
    expect(spokenForm("'quoted'", tokenizer)).toBe('quoted');
    expect(spokenForm('—', tokenizer)).toBe('');
    const targets = alignmentTargets('Hello, world — 42!', tokenizer);
    expect(targets.words).toEqual(['Hello,', 'world', '—', '42!']);
    expect(tokenizer.decode(targets.tokens)).toBe('hello world forty two');
    expect(targets.spans[2]).toBeUndefined();
    const [first, last] = targets.spans[3]!;
    expect(tokenizer.decode(targets.tokens.slice(first, last + 1))).toBe('forty two');
  });
});

describe('forced alignment with the shipped model', () => {
  let pipeline: AsrPipeline;
  let corpus: string;
  beforeAll(async () => {
    await ready;
    pipeline = createAsrPipeline(undefined, 'none');
    corpus = mkdtempSync(join(tmpdir(), 'attend-timed-'));
  });
  afterAll(() => {
    pipeline.dispose();
    rmSync(corpus, { recursive: true, force: true });
  });

  it("puts words within 50 ms of festival's true word times on average", async () => {
    const { written } = await buildTimedCorpus({ out: corpus, utterances: 4 });
    expect(written).toBeGreaterThanOrEqual(3);
    const pairs = [];
    for (const item of readTimedManifest(join(corpus, 'timed.jsonl'))) {
      const aligned = alignAudio(pipeline.model, await pipeline.load(item.audio), item.text, 'm');
      expect(aligned.words.map((w) => w.word)).toEqual(item.text.split(' '));
      pairs.push(...aligned.words.map((w, i) => [item.words[i]!, w] as const));
    }
    const scores = timingScores(pairs);
    // Measured 31 ms / 27 ms over 135 utterances; a word off by a whole word would be ~300 ms.
    expect(scores.meanStartError).toBeLessThan(0.05);
    expect(scores.meanEndError).toBeLessThan(0.05);
  });

  it('keeps the written text, times words in order, and agrees with transcription', async () => {
    const audio = await pipeline.load(projectPath('samples', 'speech-16k-mono.wav'));
    const text = 'The weather is lovely today, so we will walk to the park.';
    const aligned = alignAudio(pipeline.model, audio, text, 'm');
    expect(aligned.text).toBe(text);
    expect(aligned.segments.map((s) => s.text).join(' ')).toBe(text);
    aligned.words.forEach((w, i) => {
      expect(w.end).toBeGreaterThan(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(aligned.words[i - 1]!.end);
    });
    expect(aligned.words.at(-1)!.end).toBeLessThanOrEqual(audio.samples.length / 16000);
    // Transcription times the words it heard right the same way.
    const [heard] = pipeline.transcribeAudio([audio]);
    const pairs = matchedWords(
      aligned.words.map((w) => w.word.toLowerCase().replace(/[,.]/g, '')),
      heard!.words.map((w) => w.word),
    );
    expect(pairs.length).toBeGreaterThan(8);
    for (const [a, h] of pairs)
      expect(Math.abs(heard!.words[h]!.start - aligned.words[a]!.start)).toBeLessThan(0.1);
    // A word that is not said is squeezed in, and its confidence says so.
    const wrong = alignAudio(pipeline.model, audio, `${text} Then home.`, 'm');
    const said = wrong.words.slice(0, 4).map((w) => w.confidence!);
    expect(Math.min(...said)).toBeGreaterThan(0.5);
    expect(wrong.words.at(-1)!.confidence!).toBeLessThan(0.1);
  });

  it('aligns a text that covers only part of the recording where that part is said', async () => {
    const audio = await pipeline.load(projectPath('samples', 'speech-16k-mono.wav'));
    const whole = alignAudio(
      pipeline.model,
      audio,
      'the weather is lovely today so we will walk to the park',
      'm',
    );
    const firstHalf = alignAudio(pipeline.model, audio, 'the weather is lovely today', 'm');
    const secondHalf = alignAudio(pipeline.model, audio, 'so we will walk to the park', 'm');
    [...firstHalf.words, ...secondHalf.words].forEach((w, i) => {
      // Within two 40 ms frames: with nothing before it, "so" may start where "today" ended.
      expect(Math.abs(w.start - whole.words[i]!.start)).toBeLessThan(0.1);
      expect(Math.abs(w.end - whole.words[i]!.end)).toBeLessThan(0.1);
    });
  });

  it('says when the text cannot fit the recording, naming the file', async () => {
    const audio = await pipeline.load(projectPath('samples', 'speech-16k-mono.wav'));
    const long = Array(200).fill('word').join(' ');
    expect(() => alignAudio(pipeline.model, audio, long, 'm')).toThrow(AttendError);
    expect(() => alignAudio(pipeline.model, audio, long, 'm')).toThrow(
      /speech-16k-mono\.wav: the audio is too short for the text/,
    );
    expect(() => alignAudio(pipeline.model, audio, ' — ', 'm')).toThrow(/nothing in the text/);
  });
});

describe('attend align', () => {
  it('writes subtitles of a script, and names what is missing', () => {
    const srt = attend([
      'align',
      'samples/speech-44k-stereo-24bit.wav',
      '--text',
      'Please call me when you get home tonight.',
      '--format',
      'srt',
    ]);
    expect(srt.status).toBe(0);
    expect(srt.stdout).toMatch(
      /^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\nPlease call me when you get home tonight\.\n/,
    );
    const missing = attend(['align', 'samples/speech-16k-mono.wav']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/attend: what was said is missing/);
    const noFile = attend(['align', 'samples/speech-16k-mono.wav', 'nope.txt']);
    expect(noFile.stderr).toMatch(/nope\.txt: no such text file/);
  });
});
