import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { AttendError } from '../errors.js';
import { STDIN } from '../io/stdin.js';

/** An input's name for the files written about it: its base name without extension. */
export const inputStem = (input: string): string =>
  input === STDIN ? 'stdin' : basename(input, extname(input));

/** Inputs whose files would overwrite each other's in one output folder: an error naming them. */
export function checkDistinctStems(inputs: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const input of inputs) {
    const stem = inputStem(input);
    const other = seen.get(stem);
    if (other !== undefined && other !== input)
      throw new AttendError(
        `${other} and ${input} would write the same output file (${stem}.*): rename one`,
      );
    seen.set(stem, input);
  }
}

/** What --attention-map means, the same for transcribe and caption. */
export const ATTENTION_MAP_HELP =
  'write where each output token looked: FILE.png (several inputs: FILE-<input>.png) or a folder (<folder>/<input>.attention.png)';

/**
 * Where the attention map of `input` goes: `target` itself when it names a .png and there is one
 * input, `target` with `-<input>` before .png for several, else a file in the folder `target`.
 */
export function attentionMapPath(target: string, input: string, inputs: number): string {
  if (/\.png$/i.test(target))
    return inputs === 1 ? target : target.replace(/\.png$/i, `-${inputStem(input)}.png`);
  mkdirSync(target, { recursive: true });
  return join(target, `${inputStem(input)}.attention.png`);
}
