import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ASTERISK_TRANSCRIPTS } from '../speech/asterisk.js';
import {
  FORTUNE_DIR,
  FORTUNE_FILES,
  normaliseSentence,
  type Split,
  sentenceSplit,
} from '../speech/sentences.js';

/** The mark written after a word; index 0 is none. `!` and `;` count as `.`, `:` as `,`. */
export const MARKS = ['', ',', '.', '?'] as const;
export type Mark = (typeof MARKS)[number];

/** How a word is written: as recognised (lower), Capitalised, UPPER, or a mixed form (McDonald). */
export const CASES = ['lower', 'capital', 'upper', 'mixed'] as const;
export type Case = (typeof CASES)[number];

/** A recognised word (lower case, as ASR writes it) and how the text wrote it. */
export interface LabelledWord {
  readonly word: string;
  readonly mark: number; // index into MARKS
  readonly casing: number; // index into CASES
  /** The written form (for mixed case: the spelling to restore). */
  readonly written: string;
}

/** A run of consecutive sentences of one text (the model learns where sentences end, too). */
export interface LabelledPassage {
  readonly words: LabelledWord[];
  readonly split: Split;
}

const MARK_OF: Record<string, number> = { ',': 1, ':': 1, '.': 2, '!': 2, ';': 2, '?': 3 };

export function caseOf(written: string): number {
  const lower = written.toLowerCase();
  if (written === lower) return 0;
  if (written.length > 1 && written === written.toUpperCase() && /[A-Z].*[A-Z]/.test(written))
    return 2;
  if (written[0] === written[0]!.toUpperCase() && written.slice(1) === lower.slice(1)) return 1;
  return 3;
}

/**
 * One written word with the marks after it ("McDonald's," or "late?\"") as a label, or undefined
 * when it is not a word of letters and apostrophes; a word's mark is the last of its marks.
 */
export function labelWord(token: string): LabelledWord | undefined {
  const match = /^'*([A-Za-z](?:[A-Za-z']*[A-Za-z])?)'*([,.!?;:]*)$/.exec(token);
  if (!match) return undefined;
  const [, written, marks] = match;
  const mark = marks ? (MARK_OF[marks.at(-1)!] ?? 0) : 0;
  return { word: written!.toLowerCase(), mark, casing: caseOf(written!), written: written! };
}

/**
 * One written sentence as labelled words, or undefined when it is not one ASR could produce
 * (digits, hyphens, symbols) or does not end with a sentence mark. Quotes and brackets are
 * dropped (labelWord labels each word).
 */
export function labelSentence(raw: string): LabelledWord[] | undefined {
  const tokens = raw
    .replace(/["()[\]{}`]|''/g, ' ')
    .replace(/\s+-+\s+|^-+|-+$/g, ' ')
    .trim()
    .split(/\s+/);
  const words: LabelledWord[] = [];
  for (const token of tokens) {
    const word = labelWord(token);
    if (!word) return undefined;
    words.push(word);
  }
  // Three words or more, a capital to start and a sentence mark to end: sentences, not headings
  // or fragments; and not SHOUTED (headlines, banners), which speech never is.
  if (words.length < 3 || words[0]!.casing === 0 || !(words.at(-1)!.mark >= 2)) return undefined;
  if (words.filter((w) => w.casing === 2).length * 2 > words.length) return undefined;
  return words;
}

/** The split a passage belongs to: its first sentence's, as the speech corpus splits sentences. */
const splitOf = (sentence: readonly LabelledWord[]): Split =>
  sentenceSplit(
    normaliseSentence(sentence.map((w) => w.word).join(' ')) ??
      sentence.map((w) => w.word).join(' '),
  );

const ABBREVIATION =
  /\b(Mr|Mrs|Ms|Dr|St|vs|Jr|Sr|etc|Mt|Prof|Inc|Ltd|Co|Gen|Col|Capt|Lt|Sgt|Rev|Gov|Sen|Rep|No|Vol|[A-Za-z])\./g;

/**
 * Passages of 1-3 consecutive sentences (at most `maxWords` words) from each text: every
 * sentence starts one passage, so each is seen at a passage's start and after another sentence.
 * A passage mixing splits is dropped, so that no dev or test sentence is trained on.
 */
export function passagesOf(texts: Iterable<string>, maxWords = 40): LabelledPassage[] {
  const out: LabelledPassage[] = [];
  for (const text of texts) {
    const sentences = text
      .replace(/\s+/g, ' ')
      // An abbreviation's full stop ends no sentence: keep it (labelSentence then refuses the
      // sentence, as it refuses anything but plain words).
      .replace(ABBREVIATION, '$1\u00b7')
      .split(/(?<=[.!?])\s+/)
      .map(labelSentence);
    for (let i = 0; i < sentences.length; i++) {
      const run: LabelledWord[][] = [];
      for (let j = i; j < sentences.length && j < i + 3 && sentences[j]; j++) {
        if (run.length > 0 && splitOf(sentences[j]!) !== splitOf(run[0]!)) break;
        if (run.flat().length + sentences[j]!.length > maxWords) break;
        run.push(sentences[j]!);
        out.push({ words: run.flat(), split: splitOf(run[0]!) });
      }
    }
  }
  return out;
}

/** Debian's fortunes, one text per fortune (the files the speech corpus reads). */
export function fortuneTexts(dir = FORTUNE_DIR): string[] {
  return FORTUNE_FILES.flatMap((name) => {
    const file = join(dir, name);
    return existsSync(file) ? readFileSync(file, 'latin1').split('\n%\n') : [];
  });
}

/** The Asterisk prompts' transcripts ("Please enter your password, then press pound."). */
export function asteriskTexts(file = ASTERISK_TRANSCRIPTS): string[] {
  if (!existsSync(file)) return [];
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .map((line) => line.slice(line.indexOf(':') + 1).trim())
    .filter(Boolean);
}
