import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { AttendError } from '../errors.js';
import { type NgramJson, NgramLm } from './ngram.js';
import { WordNgram, type WordNgramJson } from './word-ngram.js';

/** Where a speech checkpoint keeps the language model fused into its beam search. */
export const lmPath = (checkpoint: string) => join(checkpoint, 'lm.json');

/** A model file's JSON made into a model; a missing or malformed one is an error naming the file. */
function readModelFile<T, J>(file: string, fromJson: (json: J) => T): T {
  if (!existsSync(file)) throw new AttendError(`${file}: no such language model file`);
  let json: J;
  try {
    const bytes = readFileSync(file);
    json = JSON.parse((file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as J;
  } catch (error) {
    throw new AttendError(`${file}: not a language model file (${(error as Error).message})`);
  }
  try {
    return fromJson(json);
  } catch (error) {
    throw new AttendError(`${file}: ${(error as Error).message}`);
  }
}

/** Reads a token n-gram model file (lm.json). */
export const readLm = (file: string): NgramLm =>
  readModelFile(file, (json: NgramJson) => NgramLm.fromJson(json));

/** Where a speech checkpoint keeps its word n-gram (fused with look-ahead; see word-lookahead.ts). */
export const wordLmPath = (checkpoint: string) => join(checkpoint, 'word-lm.json.gz');

/** Reads a word n-gram model file (word-lm.json.gz, gzipped: its JSON is 4× larger). */
export const readWordLm = (file: string): WordNgram =>
  readModelFile(file, (json: WordNgramJson) => WordNgram.fromJson(json));

export function writeWordLm(file: string, lm: WordNgram): void {
  writeFileSync(file, gzipSync(JSON.stringify(lm.toJson()), { level: 9 }));
}

export function writeLm(file: string, lm: NgramLm): void {
  writeFileSync(file, JSON.stringify(lm.toJson()));
}

/**
 * The language model a transcription uses: `none` for none, a path for that file, otherwise the
 * checkpoint's own lm.json when it has one.
 */
export function resolveLm(checkpoint: string, choice?: string): NgramLm | undefined {
  if (choice === 'none') return undefined;
  if (choice) return readLm(choice);
  return existsSync(lmPath(checkpoint)) ? readLm(lmPath(checkpoint)) : undefined;
}

/** The word LM a transcription uses: the checkpoint's word-lm.json.gz when it has one, unless `none`. */
export function resolveWordLm(checkpoint: string, choice?: string): WordNgram | undefined {
  if (choice === 'none') return undefined;
  const file = wordLmPath(checkpoint);
  return existsSync(file) ? readWordLm(file) : undefined;
}
