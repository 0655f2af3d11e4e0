import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { parseWav } from '../../src/audio/wav.js';
import { AttendError } from '../../src/errors.js';
import { writeJsonl } from '../../src/util/jsonl.js';
import { prng, shuffleInPlace } from '../../src/util/random.js';
import { readSpeechManifest, type SpeechItem } from '../manifest.js';
import { fortuneSentences, sentenceSplit } from './sentences.js';

/** A word and where its speech is: from the synthesiser's own segment durations. */
export interface TimedWord {
  readonly word: string;
  readonly start: number; // seconds
  readonly end: number;
}

/** A manifest line with the true time of every word. */
export interface TimedItem extends SpeechItem {
  readonly words: TimedWord[];
}

/**
 * festival voices whose utterances carry segment times (Debian festvox-kallpc16k,
 * festvox-kdlpc16k, festvox-us-slt-hts). slt is the speaker the ASR test split holds out.
 */
export const TIMED_VOICES = ['kal_diphone', 'ked_diphone', 'cmu_us_slt_arctic_hts'] as const;

const run = promisify(execFile);

/** Debian installs each festival voice as a folder of one of these (English, American). */
const FESTIVAL_VOICE_DIRS = ['/usr/share/festival/voices/english', '/usr/share/festival/voices/us'];

/**
 * A festival script that synthesises each sentence, saves its WAV and prints its words with
 * start (the end of the segment before the word's first) and end (its last segment's end).
 */
function festivalScript(voice: string, jobs: readonly { text: string; wav: string }[]): string {
  const lines = [
    `(voice_${voice})`,
    '(define (timed text out)',
    "  (let ((utt (utt.synth (eval (list 'Utterance 'Text text)))))",
    "    (utt.save.wave utt out 'riff)",
    '    (format t "@@ %s\\n" out)',
    '    (mapcar (lambda (w) (format t "%s %f %f\\n" (item.name w)',
    '      (item.feat w "R:SylStructure.daughter1.daughter1.R:Segment.p.end")',
    '      (item.feat w "R:SylStructure.daughtern.daughtern.R:Segment.end")))',
    "      (utt.relation.items utt 'Word))",
    '    t))',
    ...jobs.map((job) => `(timed ${schemeString(job.text)} ${schemeString(job.wav)})`),
  ];
  return `${lines.join('\n')}\n`;
}

const schemeString = (text: string) => `"${text.replace(/[\\"]/g, '\\$&')}"`;

/** festival's output: per WAV path, its words and times. */
function parseTimes(stdout: string): Map<string, TimedWord[]> {
  const byWav = new Map<string, TimedWord[]>();
  let current: TimedWord[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('@@ ')) {
      current = [];
      byWav.set(line.slice(3).trim(), current);
      continue;
    }
    const [word, start, end] = line.trim().split(/\s+/);
    if (current && word && start && end)
      current.push({
        word,
        start: Number(Number(start).toFixed(3)),
        end: Number(Number(end).toFixed(3)),
      });
  }
  return byWav;
}

export interface TimedCorpusOptions {
  readonly out: string;
  readonly utterances: number;
  readonly seed?: number;
}

/**
 * A word-timing test set: held-out (test split) fortune sentences spoken by festival's voices,
 * each word's true start and end from the synthesiser, in `<out>/timed.jsonl` (audio, text,
 * duration, speaker, words). What `attend eval align` scores word times against.
 */
export async function buildTimedCorpus(
  options: TimedCorpusOptions,
): Promise<{ written: number; voices: string[] }> {
  const voices: string[] = [];
  for (const voice of TIMED_VOICES)
    if (FESTIVAL_VOICE_DIRS.some((dir) => existsSync(join(dir, voice)))) voices.push(voice);
  if (voices.length === 0)
    throw new AttendError(
      'no festival voice with segment times is installed (apt: festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)',
    );
  const sentences = fortuneSentences().filter((s) => sentenceSplit(s) === 'test');
  if (sentences.length === 0) throw new AttendError('no sentences (apt: fortunes-min fortunes)');
  shuffleInPlace(sentences, prng(options.seed ?? 1));
  const chosen = sentences.slice(0, options.utterances);
  const wavDir = join(options.out, 'wav');
  mkdirSync(wavDir, { recursive: true });
  const items: TimedItem[] = [];
  for (const [v, voice] of voices.entries()) {
    const jobs = chosen
      .map((text, i) => ({ text, wav: join(wavDir, `timed-${String(i).padStart(4, '0')}.wav`), i }))
      .filter(({ i }) => i % voices.length === v);
    const script = join(options.out, `${voice}.scm`);
    writeFileSync(script, festivalScript(voice, jobs));
    const { stdout } = await run('festival', ['-b', script], { maxBuffer: 64 * 1024 * 1024 })
      .catch((error: Error) => {
        throw new AttendError(`festival could not run (apt: festival): ${error.message}`);
      })
      .finally(() => rmSync(script));
    const times = parseTimes(String(stdout));
    for (const job of jobs) {
      const words = times.get(job.wav);
      // festival says numbers and some spellings as several words: keep the sentences it did not.
      if (!words || words.map((w) => w.word).join(' ') !== job.text || !existsSync(job.wav))
        continue;
      items.push({
        audio: relative(options.out, job.wav),
        text: job.text,
        duration: wavSeconds(job.wav),
        speaker: `festival:${voice}`,
        words,
      });
    }
  }
  items.sort((a, b) => a.audio.localeCompare(b.audio));
  writeJsonl(join(options.out, 'timed.jsonl'), items);
  return { written: items.length, voices };
}

function wavSeconds(file: string): number {
  const audio = parseWav(readFileSync(file), file);
  return Number(((audio.channels[0]?.length ?? 0) / audio.sampleRate).toFixed(3));
}

/** Reads `timed.jsonl`: audio paths resolved against its folder; every line needs its words. */
export function readTimedManifest(file: string): TimedItem[] {
  const items = readSpeechManifest(file);
  const lines = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim());
  return items.map((item, i) => {
    const words = (JSON.parse(lines[i]!) as { words?: unknown }).words;
    const valid =
      Array.isArray(words) &&
      words.length === item.text.split(/\s+/).filter(Boolean).length &&
      words.every(
        (w: Partial<TimedWord>) =>
          typeof w.word === 'string' && typeof w.start === 'number' && typeof w.end === 'number',
      );
    if (!valid)
      throw new AttendError(
        `${file}:${i + 1}: needs "words": [{"word","start","end"}], one per word of "text"`,
      );
    return { ...item, words: words as TimedWord[] };
  });
}
