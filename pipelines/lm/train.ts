import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readSpeechManifest } from '../../datasets/manifest.js';
import { sentenceSplit } from '../../datasets/speech/sentences.js';
import { AttendError } from '../../src/errors.js';
import { readSideFile, TOKENIZER_FILE } from '../../src/io/checkpoint.js';
import type { Smoothing } from '../../src/lm/context-table.js';
import { lmPath, wordLmPath, writeLm, writeWordLm } from '../../src/lm/files.js';
import { NgramLm } from '../../src/lm/ngram.js';
import { WordNgram } from '../../src/lm/word-ngram.js';
import { BOS, EOS, PAD, type TokenizerJson, UNK } from '../../src/text/characters.js';
import { speechTokenizerFromJson } from '../../src/text/tokenizer.js';

export interface TrainLmOptions {
  /** Corpus folders: their train.jsonl transcripts are counted; the first's dev.jsonl is scored. */
  readonly data: readonly string[];
  /** Extra text without audio (e.g. WordNet's examples); only its training-split sentences count. */
  readonly text?: readonly string[];
  /** A user's own text files (a domain's words and phrasing), counted whole: see readTextFile. */
  readonly textFiles?: readonly string[];
  /** The speech checkpoint whose tokens the LM predicts; lm.json goes there unless `out` says. */
  readonly model: string;
  readonly order: number;
  /** The weight beam search gives the LM by default (tune it with `attend eval asr --lm-weight`). */
  readonly weight: number;
  readonly out?: string;
  /** Also count a word n-gram of this order over the same text (<model>/word-lm.json.gz). */
  readonly wordOrder?: number;
  /** The token LM's smoothing (default Witten-Bell). */
  readonly smoothing?: Smoothing;
  /** The word n-gram's smoothing (default Kneser-Ney). */
  readonly wordSmoothing?: Smoothing;
}

/**
 * Counts an n-gram model over the training transcripts in the speech model's own tokens (only
 * training text: dev and test sentences never reach it) and reports dev perplexity.
 */
export function trainTokenLm(options: TrainLmOptions) {
  const json = readSideFile<TokenizerJson>(options.model, TOKENIZER_FILE);
  if (!json)
    throw new AttendError(`${options.model}: no ${TOKENIZER_FILE} (is it a speech checkpoint?)`);
  const tokenizer = speechTokenizerFromJson(json);
  const extra = (options.text ?? []).filter((sentence) => sentenceSplit(sentence) === 'train');
  const fromFiles = (options.textFiles ?? []).flatMap((file) =>
    readTextFile(file, (ch) => !tokenizer.encode(ch).includes(UNK)),
  );
  if (options.data.length === 0 && extra.length + fromFiles.length === 0)
    throw new AttendError('train lm: nothing to count (give --data, --text or --text-file)');
  const texts = [
    ...options.data.flatMap((corpus) =>
      readSpeechManifest(join(corpus, 'train.jsonl')).map((u) => u.text.toLowerCase()),
    ),
    ...extra,
    ...fromFiles,
  ];
  const sentences = texts.map((text) => tokenizer.encode(text));
  const lm = NgramLm.train(
    sentences,
    { order: options.order, vocabSize: tokenizer.size, start: BOS, end: EOS, excluded: [PAD, BOS] },
    options.smoothing ?? 'witten-bell',
  );
  // Dev text: the first corpus's dev split (none with text files alone: no perplexity then).
  const devFile = options.data[0] && join(options.data[0], 'dev.jsonl');
  const devTexts =
    devFile && existsSync(devFile) ? readSpeechManifest(devFile).map((u) => u.text) : [];
  const dev = devTexts.map((text) => tokenizer.encode(text));
  const wordLists = texts.map(wordsOf);
  lm.lexicon = [...new Set(wordLists.flat())].sort();
  const devPerplexity = dev.length ? lm.perplexity(dev) : Number.NaN;
  lm.info = {
    trainedOn: trainedOn(options),
    ...(options.text ? { textSentences: extra.length } : {}),
    ...(options.textFiles ? { textFileSentences: fromFiles.length } : {}),
    sentences: sentences.length,
    words: lm.lexicon.length,
    devPerplexity,
    smoothing: lm.smoothing,
    weight: options.weight,
  };
  const out = options.out ?? lmPath(options.model);
  writeLm(out, lm);
  return {
    out,
    sentences: sentences.length,
    devPerplexity,
    trainPerplexity: lm.perplexity(sentences.slice(0, 500)),
    ...(options.wordOrder ? { words: trainWordLm(options, wordLists, devTexts.map(wordsOf)) } : {}),
  };
}

/**
 * A user's text file as sentences the LM can count: split at line ends and sentence punctuation,
 * lower-cased, other punctuation dropped; a sentence with a character the model cannot write
 * (digits, accents) is left out rather than counted misspelt. A missing file, or one with nothing
 * usable, is an error naming it.
 */
export function readTextFile(file: string, writable: (ch: string) => boolean): string[] {
  if (!existsSync(file)) throw new AttendError(`${file}: no such text file`);
  const sentences = readFileSync(file, 'utf8')
    .split(/\r?\n|(?<=[.!?])\s+/)
    .map((raw) =>
      raw
        .toLowerCase()
        .replace(/[‘’]/g, "'")
        .replace(/[.!?,;:"“”()[\]{}—–-]+/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter((s) => s.length > 0 && [...s].every((ch) => ch === ' ' || writable(ch)));
  if (sentences.length === 0)
    throw new AttendError(`${file}: no sentences the model can write (letters and apostrophes)`);
  return sentences;
}

/** What both LMs were counted over, for their info: the corpora's training splits and text files. */
const trainedOn = (options: TrainLmOptions): string[] => [
  ...options.data.map((corpus) => join(corpus, 'train.jsonl')),
  ...(options.textFiles ?? []),
];

/** A transcript's words (the training texts are lower case already; dev manifests may not be). */
const wordsOf = (text: string): string[] => text.toLowerCase().split(/\s+/).filter(Boolean);

/** The word n-gram over the same training text, next to the token LM, with its dev perplexity. */
function trainWordLm(
  options: TrainLmOptions,
  sentences: readonly (readonly string[])[],
  dev: readonly (readonly string[])[],
) {
  const lm = WordNgram.train(sentences, options.wordOrder!, options.wordSmoothing ?? 'kneser-ney');
  const devPerplexity = dev.length ? lm.perplexity(dev) : Number.NaN;
  lm.info = {
    trainedOn: trainedOn(options),
    sentences: sentences.length,
    words: lm.words.length,
    devPerplexity,
    smoothing: lm.smoothing,
  };
  const out = options.out
    ? join(dirname(options.out), 'word-lm.json.gz')
    : wordLmPath(options.model);
  writeWordLm(out, lm);
  return { out, devPerplexity, vocabulary: lm.words.length };
}
