#!/usr/bin/env node
// A peer baseline for word times (`attend eval align`): Debian's pocketsphinx forced through each
// utterance's text with a one-sentence JSGF grammar (`-time yes` prints each word's frames),
// scored against a timed manifest's true word times with attend's timingScores.
//   apt-get install pocketsphinx pocketsphinx-en-us sox
//   node scripts/pocketsphinx-align-baseline.mjs data/timings/timed.jsonl [limit]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTimedManifest } from '../dist/datasets/speech/word-times.js';
import { timingScores } from '../dist/src/metrics/word-times.js';

const [manifest, limit] = process.argv.slice(2);
if (!manifest) {
  console.error('usage: node scripts/pocketsphinx-align-baseline.mjs TIMED.jsonl [LIMIT]');
  process.exit(2);
}
const items = readTimedManifest(manifest).slice(0, limit ? Number(limit) : undefined);
const scratch = mkdtempSync(join(tmpdir(), 'ps-align-'));
const run = (command, args) => {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) {
    console.error(
      `${command}: ${result.error.message} (apt-get install pocketsphinx pocketsphinx-en-us sox)`,
    );
    process.exit(1);
  }
  return result;
};
const pairs = [];
let failed = 0;
try {
  for (const [i, item] of items.entries()) {
    const wav = join(scratch, 'in.wav');
    const grammar = join(scratch, 'sentence.gram');
    run('sox', [item.audio, '-r', '16000', '-c', '1', '-b', '16', wav]); // pocketsphinx hears 16 kHz
    writeFileSync(grammar, `#JSGF V1.0;\ngrammar s;\npublic <s> = ${item.text};\n`);
    const out = run('pocketsphinx_continuous', [
      '-infile',
      wav,
      '-jsgf',
      grammar,
      '-time',
      'yes',
      '-logfn',
      '/dev/null',
    ]);
    // Lines "word(2) start end confidence"; an end is the start of its last 10 ms frame.
    const words = out.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((f) => f.length === 4 && !f[0].startsWith('<') && !f[0].startsWith('['))
      .map(([word, start, end]) => ({
        word: word.replace(/\(\d+\)$/, ''),
        start: Number(start),
        end: Number(end) + 0.01,
      }));
    if (words.map((w) => w.word).join(' ') !== item.text) {
      failed++; // a word outside its dictionary, or no path through the grammar
      continue;
    }
    pairs.push(...words.map((w, k) => [item.words[k], w]));
    if ((i + 1) % 25 === 0) process.stderr.write(`${i + 1}/${items.length}\r`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(
  JSON.stringify({
    aligner: 'pocketsphinx 0.8+5prealpha (Debian), en-us model, one-sentence JSGF grammar',
    manifest,
    utterances: items.length,
    failed,
    ...timingScores(pairs),
  }),
);
