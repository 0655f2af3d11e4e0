import { AttendError } from '../errors.js';

/** The file name that means standard input, as Unix tools take it (`sox in.wav -t wav - | ...`). */
export const STDIN = '-';

let bytes: Promise<Buffer> | undefined;

/**
 * All of standard input as bytes, read once and kept: a caption's attention map loads its image a
 * second time. A terminal is refused rather than waited on: nobody types audio.
 */
export function readStdin(): Promise<Buffer> {
  bytes ??= (async () => {
    if (process.stdin.isTTY)
      throw new AttendError(`${STDIN}: standard input is a terminal; pipe a file into it`);
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  })();
  return bytes;
}
