import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttendError } from '../errors.js';
import { type NgramJson, NgramLm } from './ngram.js';

/** Where a speech checkpoint keeps the language model fused into its beam search. */
export const lmPath = (checkpoint: string) => join(checkpoint, 'lm.json');

/** Reads an n-gram model file; a missing or malformed one is an error naming the file. */
export function readLm(file: string): NgramLm {
  if (!existsSync(file)) throw new AttendError(`${file}: no such language model file`);
  let json: NgramJson;
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as NgramJson;
  } catch (error) {
    throw new AttendError(`${file}: not a language model file (${(error as Error).message})`);
  }
  try {
    return NgramLm.fromJson(json);
  } catch (error) {
    throw new AttendError(`${file}: ${(error as Error).message}`);
  }
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
