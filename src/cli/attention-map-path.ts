import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { STDIN } from '../io/stdin.js';

/** What --attention-map means, the same for transcribe and caption. */
export const ATTENTION_MAP_HELP =
  'write where each output token looked: FILE.png (several inputs: FILE-<input>.png) or a folder (<folder>/<input>.attention.png)';

/**
 * Where the attention map of `input` goes: `target` itself when it names a .png and there is one
 * input, `target` with `-<input>` before .png for several, else a file in the folder `target`.
 */
export function attentionMapPath(target: string, input: string, inputs: number): string {
  const name = input === STDIN ? 'stdin' : basename(input, extname(input));
  if (/\.png$/i.test(target))
    return inputs === 1 ? target : target.replace(/\.png$/i, `-${name}.png`);
  mkdirSync(target, { recursive: true });
  return join(target, `${name}.attention.png`);
}
