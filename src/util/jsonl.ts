import { writeFileSync } from 'node:fs';

/** Writes values as JSON Lines: one JSON object a line, each line ending in a newline. */
export function writeJsonl(file: string, values: readonly unknown[]): void {
  writeFileSync(file, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
}

/** Orders things by their `id` (code-unit order, the same on every machine). */
export const byId = (a: { id: string }, b: { id: string }): number =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
